using BenchMesh.LoadEngine.Metrics;

namespace BenchMesh.LoadEngine.Thresholds;

/// <summary>The figures thresholds are judged on: a whole run, or a sliding window of it.</summary>
/// <param name="LatencyMs">Latency from intended start.</param>
/// <param name="Requests">Completed requests.</param>
/// <param name="ErrorRate">Failed / completed (0 when nothing completed).</param>
/// <param name="AchievedRps">Completed requests per second.</param>
/// <param name="TargetRps">The planned rate; null for the closed model, which has none.</param>
/// <param name="DroppedRate">Dropped / planned (0 for the closed model).</param>
public sealed record MetricSnapshot(LatencySummary LatencyMs, long Requests, double ErrorRate, double AchievedRps, double? TargetRps, double DroppedRate);
