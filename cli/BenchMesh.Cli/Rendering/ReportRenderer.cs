using Spectre.Console;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Rendering;

/// <summary>Renders a run and its report: one row per benchmark, the run's aggregate scores below.</summary>
internal static class ReportRenderer
{
    public static void Render(IAnsiConsole console, RunStatus run)
    {
        console.Write(new Rows(
            new Text($"Run {run.RunId}", new Style(decoration: Decoration.Bold)),
            new Text($"agent {run.AgentId ?? Cells.Missing} version {run.AgentVersion ?? Cells.Missing}, suite {run.SuiteId ?? Cells.Missing}, status {run.Status}")));
        if (!string.IsNullOrEmpty(run.ErrorMessage))
        {
            console.Write(new Text($"error: {run.ErrorMessage}{Environment.NewLine}", new Style(Color.Red)));
        }

        var report = run.Report;
        if (report?.Benchmarks is not { Count: > 0 } benchmarks)
        {
            console.WriteLine("No benchmark results in this run.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Benchmark report");
        table.AddColumn("Benchmark");
        table.AddColumn("Status");
        foreach (var title in new[] { "Accuracy", "Speed", "Efficiency", "Cost", "Reliability", "Overall", "Tokens", "Calls", "Cost USD", "Median ms" })
        {
            table.AddColumn(new TableColumn(title).RightAligned());
        }

        foreach (var b in benchmarks)
        {
            table.AddRow(
                Cells.Text(b.BenchmarkName ?? b.BenchmarkId),
                Cells.Status(b.Status),
                Cells.Score(b.AccuracyScore),
                Cells.Score(b.SpeedScore),
                Cells.Score(b.EfficiencyScore),
                Cells.Score(b.CostScore),
                Cells.Score(b.ReliabilityScore),
                Cells.Score(b.OverallScore),
                Cells.Number(b.TokensUsed),
                Cells.Number(b.ApiCallsMade),
                Cells.Usd(b.CostUsd),
                Cells.Milliseconds(b.MedianLatencyMs));
        }

        table.AddEmptyRow();
        table.AddRow(
            Cells.Text("Run overall", new Style(decoration: Decoration.Bold)),
            Cells.Status(run.Status),
            Cells.Score(report.AccuracyScore),
            Cells.Score(report.SpeedScore),
            Cells.Score(report.EfficiencyScore),
            Cells.Score(report.CostScore),
            Cells.Score(report.ReliabilityScore),
            Cells.Score(report.OverallScore),
            Cells.Number(Sum(benchmarks, b => b.TokensUsed)),
            Cells.Number(Sum(benchmarks, b => b.ApiCallsMade)),
            Cells.Usd(benchmarks.Any(b => b.CostUsd is not null) ? benchmarks.Sum(b => b.CostUsd ?? 0) : null),
            Cells.Text(""));
        console.Write(table);
    }

    private static long? Sum(IEnumerable<BenchmarkReport> rows, Func<BenchmarkReport, long?> selector)
    {
        var values = rows.Select(selector).Where(v => v is not null).ToList();
        return values.Count == 0 ? null : values.Sum();
    }
}
