namespace BenchMesh.Leaderboard.Ranking;

/// <summary>The latest execution of one benchmark by one agent version.</summary>
public sealed record BenchmarkResult(Guid AgentId, string AgentName, string AgentVersion, Guid BenchmarkId, ScoreSet Scores);

/// <summary>One ranked agent version.</summary>
public sealed record RankedAgent(
    int Rank, Guid AgentId, string AgentName, string AgentVersion, ScoreSet Scores, int Executions, IReadOnlyDictionary<string, int> Ranks);

/// <summary>
/// Builds a leaderboard: one entry per agent version averaging its benchmarks' latest scores, ranked by a metric
/// (descending). Ties share a rank ("1224" competition ranking), per metric as well.
/// </summary>
public static class LeaderboardRanker
{
    public static IReadOnlyList<RankedAgent> Rank(IEnumerable<BenchmarkResult> latestPerBenchmark, string metric, int limit)
    {
        var agents = latestPerBenchmark
            .GroupBy(r => (r.AgentId, r.AgentVersion))
            .Select(g => new
            {
                g.Key.AgentId,
                g.Key.AgentVersion,
                AgentName = g.First().AgentName,
                Scores = ScoreSet.Mean(g.Select(r => r.Scores).ToList()),
                Executions = g.Count(),
            })
            .ToList();

        var ranks = agents.ToDictionary(
            a => (a.AgentId, a.AgentVersion),
            a => (IReadOnlyDictionary<string, int>)ScoreMetrics.All.ToDictionary(
                m => m,
                m => 1 + agents.Count(o => o.Scores.Get(m) > a.Scores.Get(m)),
                StringComparer.Ordinal));

        return agents
            .OrderByDescending(a => a.Scores.Get(metric))
            .ThenByDescending(a => a.Scores.Overall)
            .ThenBy(a => a.AgentName, StringComparer.Ordinal)
            .ThenBy(a => a.AgentVersion, StringComparer.Ordinal)
            .Take(limit)
            .Select(a =>
            {
                var r = ranks[(a.AgentId, a.AgentVersion)];
                return new RankedAgent(r[metric], a.AgentId, a.AgentName, a.AgentVersion, a.Scores, a.Executions, r);
            })
            .ToList();
    }
}
