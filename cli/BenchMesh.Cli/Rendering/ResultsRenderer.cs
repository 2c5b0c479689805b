using Spectre.Console;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Rendering;

internal static class ResultsRenderer
{
    public static void Render(IAnsiConsole console, AgentResults results)
    {
        var executions = results.Results ?? [];
        if (executions.Count == 0)
        {
            console.WriteLine($"No executions for agent {results.AgentId} (timeframe {results.Timeframe ?? "latest"}).");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Executions of agent {results.AgentId} ({results.Timeframe ?? "latest"})");
        table.AddColumn("Benchmark");
        table.AddColumn("Version");
        table.AddColumn("Status");
        foreach (var title in new[] { "Overall", "Accuracy", "Speed", "Efficiency", "Cost", "Reliability", "Time ms", "Tokens", "Calls", "Cost USD" })
        {
            table.AddColumn(new TableColumn(title).RightAligned());
        }

        table.AddColumn("Executed at");
        foreach (var e in executions)
        {
            table.AddRow(
                Cells.Text(e.BenchmarkName ?? e.BenchmarkId),
                Cells.Text(e.AgentVersion),
                Cells.Status(e.Status, e.TerminationReason),
                Cells.Score(e.OverallScore),
                Cells.Score(e.AccuracyScore),
                Cells.Score(e.SpeedScore),
                Cells.Score(e.EfficiencyScore),
                Cells.Score(e.CostScore),
                Cells.Score(e.ReliabilityScore),
                Cells.Milliseconds(e.ExecutionTimeMs),
                Cells.Number(e.TokensUsed),
                Cells.Number(e.ApiCallsMade),
                Cells.Usd(e.CostUsd),
                Cells.Timestamp(e.CreatedAt));
        }

        console.Write(table);
        if (executions.Any(e => e.Status == "terminated"))
        {
            console.Write(new Text(Cells.TerminatedMeaning + Environment.NewLine, new Style(Color.Yellow)));
        }

        // Errors are long; listing them under the table keeps the table readable.
        foreach (var failed in executions.Where(e => !string.IsNullOrEmpty(e.ErrorMessage)))
        {
            console.Write(new Text($"{failed.BenchmarkName ?? failed.BenchmarkId} ({failed.ExecutionId}): {failed.ErrorMessage}{Environment.NewLine}", new Style(Color.Red)));
        }

        if (results.NextCursor is { } next)
        {
            console.WriteLine($"More executions: add --cursor {next}");
        }
    }
}
