namespace BenchMesh.Runner.Apis;

/// <summary>An active agent with no scored execution in the window.</summary>
/// <param name="LatestVersion">The agent's most recently added version.</param>
/// <param name="LastBenchmarkedAt">Its latest scored execution, of any version and suite, ever; null: never.</param>
/// <param name="HasSchedule">Whether any schedule runs a suite against it.</param>
public sealed record StaleAgent(Guid AgentId, string Name, string LatestVersion, DateTimeOffset? LastBenchmarkedAt, bool HasSchedule);

/// <summary>
/// <c>GET /benchmarks/coverage</c>: the specification's success metric ("100 % of agents benchmarked monthly").
/// <see cref="Coverage"/> is <see cref="BenchmarkedAgents"/> / <see cref="ActiveAgents"/>, null when there are no
/// active agents.
/// </summary>
public sealed record CoverageResponse(
    int WindowDays, DateTimeOffset WindowStart, DateTimeOffset AsOf, int ActiveAgents, int BenchmarkedAgents, double? Coverage,
    IReadOnlyList<StaleAgent> StaleAgents);
