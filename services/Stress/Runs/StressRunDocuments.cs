namespace BenchMesh.Stress.Runs;

/// <summary>A run's effective parameters, as stored (jsonb) and returned.</summary>
public sealed record StressParameters(int Requests, int Concurrency, int DurationSeconds, int RequestTimeoutSeconds, int? InputChars);

