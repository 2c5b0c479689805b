using BenchMesh.Scoring.Scoring;

namespace BenchMesh.Scoring.Profiling;

/// <summary>The figures of one execution that the phases and the rules read, computed once.</summary>
public sealed class ProfileFacts
{
    public ProfileFacts(ProfileInput input)
    {
        Input = input;
        Calls = input.Calls;
        var made = Calls.Where(c => c.DurationMs > 0).ToList();
        CallTimeMs = made.Sum(c => c.DurationMs);
        Durations = made.Select(c => c.DurationMs).ToList();
        var streamed = made.Where(c => c.TtftMs is not null).ToList();
        FirstTokenCalls = streamed.Count;
        FirstTokenWaits = streamed.Select(FirstTokenWait).ToList();
        MedianTtftMs = ScoreCalculator.Median(streamed.Select(c => c.TtftMs!.Value).ToList());
        MedianStreamedDurationMs = ScoreCalculator.Median(streamed.Select(c => c.DurationMs).ToList());
        ConnectMs = Calls.Any(c => c.ConnectMs is not null) ? Calls.Sum(c => c.ConnectMs ?? 0) : null;
        RequestWriteMs = Calls.Any(c => c.RequestWriteMs is not null) ? Calls.Sum(c => c.RequestWriteMs ?? 0) : null;

        Concurrency = Math.Max(1, input.Concurrency);
        QueueWaitMs = input.RequestedAt is { } requested ? Math.Max(0, (input.StartTime - requested).TotalMilliseconds) : null;
        // The measured passes' wall time: the execution's, less its warm-ups' (when the message said how long they took).
        var measuredWall = (input.EndTime - input.StartTime).TotalMilliseconds - (input.WarmupDurationMs ?? 0);
        AchievedConcurrency = measuredWall > 0 && CallTimeMs > 0 ? Math.Min(Concurrency, CallTimeMs / measuredWall) : null;
        ParallelizationScore = AchievedConcurrency / Concurrency;

        InputTokens = Calls.Sum(c => c.InputTokens);
        OutputTokens = Calls.Sum(c => c.OutputTokens);
        CacheHits = Calls.Sum(c => c.CachedInputTokens ?? 0);
        WarmupTokens = input.WarmupTokens;
        FailedCallTokens = Calls.Where(c => c.Failed).Sum(c => c.InputTokens + c.OutputTokens);
        WrongAnswerTokens = Calls.Where(c => c.Correct == false && !c.Failed).Sum(c => c.InputTokens + c.OutputTokens);
        AllTokens = InputTokens + OutputTokens + WarmupTokens;
        WastedTokens = WarmupTokens + FailedCallTokens + WrongAnswerTokens;
        Succeeded = Calls.Where(c => !c.Failed).ToList();
    }

    public ProfileInput Input { get; }
    public IReadOnlyList<ProfileCall> Calls { get; }
    public IReadOnlyList<ProfileCall> Succeeded { get; }

    /// <summary>Σ durations of the calls made (skipped calls took no time).</summary>
    public double CallTimeMs { get; }
    public IReadOnlyList<double> Durations { get; }
    public int FirstTokenCalls { get; }

    /// <summary>Per streamed call: time to first token after the request was written.</summary>
    public IReadOnlyList<double> FirstTokenWaits { get; }
    public double MedianTtftMs { get; }
    public double MedianStreamedDurationMs { get; }
    public double? ConnectMs { get; }
    public double? RequestWriteMs { get; }
    public int Concurrency { get; }
    public double? QueueWaitMs { get; }
    public double? AchievedConcurrency { get; }
    public double? ParallelizationScore { get; }
    public long InputTokens { get; }
    public long OutputTokens { get; }
    public long CacheHits { get; }
    public long WarmupTokens { get; }
    public long FailedCallTokens { get; }
    public long WrongAnswerTokens { get; }
    public long AllTokens { get; }
    public long WastedTokens { get; }

    /// <summary>Connect and request write, the part of a call before the agent has the request.</summary>
    public static double BeforeRequest(ProfileCall call) => (call.ConnectMs ?? 0) + (call.RequestWriteMs ?? 0);

    /// <summary>Time to first token less connecting and writing (the runner measures TTFT from the call's start).</summary>
    public static double FirstTokenWait(ProfileCall call) => Math.Max(0, (call.TtftMs ?? 0) - BeforeRequest(call));

    /// <summary>After the first token (or, without one, after the request was written) until the call ended.</summary>
    public static double Generation(ProfileCall call) =>
        Math.Max(0, call.DurationMs - Math.Max(BeforeRequest(call), call.TtftMs ?? 0));
}
