using BenchMesh.Stress.Load;

namespace BenchMesh.Stress.Runs;

/// <summary>A run's effective parameters, as stored (jsonb) and returned.</summary>
public sealed record StressParameters(int Requests, int Concurrency, int DurationSeconds, int RequestTimeoutSeconds, int? InputChars);

/// <summary>A run's result, as stored (jsonb) and returned.</summary>
public sealed record StressResult(
    long Requests,
    long Errors,
    double ErrorRate,
    double AchievedRps,
    double DurationSeconds,
    LatencySummary LatencyMs,
    IReadOnlyDictionary<string, long> ErrorsByKind,
    IReadOnlyDictionary<string, long> StatusCodes)
{
    public static StressResult From(LoadResult r) =>
        new(r.Requests, r.Errors, r.ErrorRate, r.AchievedRps, r.DurationSeconds, r.LatencyMs, r.ErrorsByKind, r.StatusCodes);
}
