namespace BenchMesh.Scoring.Profiling;

/// <summary>
/// Every threshold of the profile's rules, in one place (docs/profile.md explains each). Durations in milliseconds,
/// shares in [0, 1].
/// </summary>
public static class ProfileThresholds
{
    /// <summary>A rule that reads per-call timings needs at least this many calls that show them.</summary>
    public const int MinCalls = 3;

    /// <summary>Slow first token: the median call waits at least this long for its first token...</summary>
    public const double SlowFirstTokenMs = 1000;

    /// <summary>...and that wait is at least this share of the median call.</summary>
    public const double SlowFirstTokenShare = 0.5;

    /// <summary>The first-token time the slow-first-token impact is measured against.</summary>
    public const double FirstTokenTargetMs = 500;

    /// <summary>Saturated concurrency: every slot busy (parallelization score at least this)...</summary>
    public const double SaturatedParallelization = 0.9;

    /// <summary>...and the median call takes at least this many times the fastest call.</summary>
    public const double SaturatedLatencyFactor = 2;

    /// <summary>Underused concurrency: calls overlapped less than this share of the configured concurrency.</summary>
    public const double UnderusedParallelization = 0.5;

    /// <summary>Connection setup: calls spent at least this share of their time connecting.</summary>
    public const double ConnectionShare = 0.2;

    /// <summary>Queue wait: the run waited at least this long for a worker...</summary>
    public const double QueueWaitMs = 5000;

    /// <summary>...and that was at least this share of its time from request to end.</summary>
    public const double QueueWaitShare = 0.5;

    /// <summary>Token-hungry prompt: successful calls average at least this many input tokens...</summary>
    public const double TokenHungryInputTokens = 2000;

    /// <summary>...input is at least this share of their tokens...</summary>
    public const double TokenHungryInputShare = 0.8;

    /// <summary>...and less than this share of the input came from the prompt cache.</summary>
    public const double TokenHungryCachedShare = 0.5;

    /// <summary>The share of the uncached prompt a rewrite or cache is assumed to save (the estimate's one assumption).</summary>
    public const double PromptSavingsShare = 0.5;

    /// <summary>Wasted tokens: at least this share of all tokens went to warm-ups, failed calls and wrong answers.</summary>
    public const double WastedTokenShare = 0.5;
}
