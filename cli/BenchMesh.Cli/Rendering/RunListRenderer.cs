using BenchMesh.Cli.Gateway;
using Spectre.Console;

namespace BenchMesh.Cli.Rendering;

internal static class RunListRenderer
{
    public static void Render(IAnsiConsole console, RunList list)
    {
        var runs = list.Runs ?? [];
        if (runs.Count == 0)
        {
            console.WriteLine("No runs.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Runs, newest first");
        table.AddColumn("Run");
        table.AddColumn("Agent");
        table.AddColumn("Version");
        table.AddColumn("Suite");
        table.AddColumn("Status");
        table.AddColumn(new TableColumn("Benchmarks").RightAligned());
        table.AddColumn(new TableColumn("Failed").RightAligned());
        table.AddColumn(new TableColumn("Overall").RightAligned());
        table.AddColumn("Requested at");
        foreach (var run in runs)
        {
            table.AddRow(
                Cells.Text(run.RunId),
                Cells.Text(run.AgentName ?? run.AgentId),
                Cells.Text(run.AgentVersion),
                Cells.Text(run.SuiteId),
                Cells.Status(run.Status),
                Cells.Right(run.Progress is { } p ? $"{p.CompletedBenchmarks}/{p.TotalBenchmarks}" : null),
                Cells.Number(run.Progress?.FailedBenchmarks),
                Cells.Score(run.OverallScore),
                Cells.Timestamp(run.CreatedAt));
        }

        console.Write(table);
        if (list.NextCursor is { } next)
        {
            console.WriteLine($"More runs: add --cursor {next}");
        }
    }
}
