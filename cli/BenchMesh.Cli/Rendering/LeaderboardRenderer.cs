using Spectre.Console;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Rendering;

internal static class LeaderboardRenderer
{
    public static void Render(IAnsiConsole console, Leaderboard leaderboard)
    {
        var entries = leaderboard.Entries ?? [];
        if (entries.Count == 0)
        {
            console.WriteLine($"The leaderboard ({leaderboard.Category ?? "overall"}, by {leaderboard.Metric ?? "overall_score"}) has no entries yet.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Leaderboard: {leaderboard.Category ?? "overall"} by {leaderboard.Metric ?? "overall_score"}");
        table.AddColumn(new TableColumn("Rank").RightAligned());
        table.AddColumn("Agent");
        table.AddColumn("Version");
        foreach (var title in new[] { "Overall", "Accuracy", "Speed", "Efficiency", "Cost", "Reliability", "Executions" })
        {
            table.AddColumn(new TableColumn(title).RightAligned());
        }

        // The API ranks the entries; sorting again only guards against a cache answering out of order.
        foreach (var e in entries.OrderBy(e => e.Rank))
        {
            table.AddRow(
                Cells.Number(e.Rank),
                Cells.Text(e.AgentName ?? e.AgentId),
                Cells.Text(e.AgentVersion),
                Cells.Score(e.OverallScore),
                Cells.Score(e.AccuracyScore),
                Cells.Score(e.SpeedScore),
                Cells.Score(e.EfficiencyScore),
                Cells.Score(e.CostScore),
                Cells.Score(e.ReliabilityScore),
                Cells.Number(e.Executions));
        }

        if (leaderboard.GeneratedAt is { } generated)
        {
            table.Caption($"generated {generated.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z");
        }

        console.Write(table);
    }
}
