namespace BenchMesh.Stress.Load;

/// <summary>A scenario's documented default parameters. Every one can be overridden in the request.</summary>
public sealed record ScenarioDefaults(int Requests, int Concurrency, int DurationSeconds, int? InputChars, string Description);

/// <summary>
/// The scenarios a stress run can name. Today every one runs the same bounded closed-loop load with its own
/// defaults; a later load engine gives each its shape (ramps, spikes, soak, fault injection). Defaults are
/// kept small so that a run started without parameters finishes in well under a minute.
/// </summary>
public static class StressScenarios
{
    public const string HighLoad = "high_load";
    public const string SustainedLoad = "sustained_load";
    public const string Spike = "spike";
    public const string MemoryPressure = "memory_pressure";
    public const string ConcurrentRequests = "concurrent_requests";
    public const string LargeInputs = "large_inputs";
    public const string RateLimiting = "rate_limiting";
    public const string FailureRecovery = "failure_recovery";

    public static readonly IReadOnlyDictionary<string, ScenarioDefaults> Defaults = new Dictionary<string, ScenarioDefaults>(StringComparer.Ordinal)
    {
        [HighLoad] = new(200, 16, 30, null, "Many requests at high concurrency."),
        [SustainedLoad] = new(600, 4, 60, null, "Moderate concurrency held for longer."),
        [Spike] = new(300, 32, 20, null, "A burst at high concurrency."),
        [MemoryPressure] = new(100, 8, 30, 32_000, "Large prompts at moderate concurrency."),
        [ConcurrentRequests] = new(256, 64, 30, null, "As many requests in flight as requests per worker allow."),
        [LargeInputs] = new(50, 2, 30, 16_000, "Few, large prompts."),
        [RateLimiting] = new(400, 32, 20, null, "Enough pressure to meet the agent's rate limits (see errors_by_kind)."),
        [FailureRecovery] = new(200, 8, 60, null, "Steady load; errors and their kinds show how the agent fails and recovers."),
    };

    public const int MaxRequests = 100_000;
    public const int MaxConcurrency = 256;
    public const int MaxDurationSeconds = 300;
    public const int MaxRequestTimeoutSeconds = 120;
    public const int DefaultRequestTimeoutSeconds = 30;
    public const int MaxInputChars = 200_000;

    public const string DefaultPrompt = "What is 2 + 3? Answer with the number only.";

    /// <summary>The prompt sent: the default one, or a repeated text of exactly <paramref name="inputChars"/> characters.</summary>
    public static string InputOf(int? inputChars)
    {
        if (inputChars is not { } n)
        {
            return DefaultPrompt;
        }

        const string filler = "The quick brown fox jumps over the lazy dog. ";
        var text = string.Concat(Enumerable.Repeat(filler, n / filler.Length + 1));
        return text[..n];
    }
}
