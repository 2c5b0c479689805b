using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Rendering;

internal static class LeaderboardRenderer
{
    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["accuracy"] = "Accuracy", ["speed"] = "Speed", ["efficiency"] = "Efficiency", ["cost"] = "Cost",
        ["reliability"] = "Reliability", ["overall"] = "Overall",
    };

    public static void Render(IAnsiConsole console, Leaderboard leaderboard)
    {
        var entries = leaderboard.Entries ?? [];
        var category = leaderboard.Category ?? "overall";
        var metric = leaderboard.Metric ?? "all";
        if (entries.Count == 0)
        {
            console.WriteLine($"The leaderboard ({category}, by {metric}) has no entries in the last 30 days.");
            return;
        }

        // The API orders the rows (by the metric's rank, or by best ranking for all); the columns follow its metrics.
        var metrics = entries[0].ScoresAndRanks?.Keys.ToList() ?? [];
        var byVersion = leaderboard.GroupBy == "version";
        var table = new Table().Border(TableBorder.Rounded).Title($"Leaderboard: {category} by {metric}");
        table.AddColumn(new TableColumn("Rank").RightAligned());
        table.AddColumn("Agent");
        if (byVersion)
        {
            table.AddColumn("Version");
        }

        foreach (var m in metrics)
        {
            table.AddColumn(new TableColumn(Titles.GetValueOrDefault(m, m) + " (rank)").RightAligned());
        }

        foreach (var title in new[] { "Accuracy rank 95%", "Benchmarks", "Executions", "Last run" })
        {
            table.AddColumn(new TableColumn(title).RightAligned());
        }

        // Sorting again (stably, so ties keep the API's order) only guards against a cache answering out of order.
        foreach (var e in entries.OrderBy(e => Rank(e, metric) ?? long.MaxValue))
        {
            var rank = Rank(e, metric);
            var cells = new List<IRenderable> { Cells.Number(rank), Cells.Text(e.AgentName ?? e.AgentId) };
            if (byVersion)
            {
                cells.Add(Cells.Text(e.AgentVersion));
            }

            cells.AddRange(metrics.Select(m => ScoreWithRank(e.ScoresAndRanks?.GetValueOrDefault(m))));
            cells.Add(Interval(e));
            cells.Add(Cells.Number(e.BenchmarksCompleted));
            cells.Add(Cells.Number(e.Executions));
            cells.Add(Cells.Timestamp(e.LastBenchmarkDate));
            table.AddRow(cells);
        }

        var caption = "* statistically tied with the leader on accuracy";
        if (leaderboard.GeneratedAt is { } generated)
        {
            caption += $"; generated {generated.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z";
        }

        table.Caption(caption);
        console.Write(table);
    }

    private static long? Rank(LeaderboardEntry e, string metric) =>
        metric == "all" ? e.BestRanking : e.ScoresAndRanks?.GetValueOrDefault(metric)?.Rank;

    private static IRenderable ScoreWithRank(ScoreAndRank? value) => Cells.Right(value?.Score is { } score
        ? $"{score.ToString("0.000", CultureInfo.InvariantCulture)} ({value.Rank?.ToString(CultureInfo.InvariantCulture)})"
        : null);

    private static IRenderable Interval(LeaderboardEntry e) => Cells.Right(e.RankInterval is { Low: { } low, High: { } high }
        ? (low == high ? $"{low}" : $"{low}–{high}") + (e.TiedWithLeader == true ? " *" : "")
        : null);
}
