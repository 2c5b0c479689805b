namespace BenchMesh.LoadEngine.Thresholds;

/// <summary>How a threshold fared.</summary>
/// <param name="Expression">The expression as written.</param>
/// <param name="Metric">The metric's canonical name.</param>
/// <param name="Passed">True when the observed value met the limit.</param>
/// <param name="Observed">The observed value (ms, a fraction, or requests per second).</param>
/// <param name="Limit">The limit in the same unit (a relative limit resolved against the target rate); null when it could not be resolved.</param>
/// <param name="Note">Why it could not be judged, when it could not.</param>
public sealed record ThresholdResult(string Expression, string Metric, bool Passed, double Observed, double? Limit, string? Note);
