using Spectre.Console;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Rendering;

internal static class RegressionRenderer
{
    public static void Render(IAnsiConsole console, RegressionReport report)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow(Cells.Text("Agent"), Cells.Text(report.AgentId));
        grid.AddRow(Cells.Text("Versions"), Cells.Text($"{report.CurrentVersion ?? Cells.Missing} compared with baseline {report.BaselineVersion ?? Cells.Missing}"));
        grid.AddRow(Cells.Text("Threshold"), Cells.Fraction(report.Threshold));
        grid.AddRow(Cells.Text("Health"), Cells.Health(report.OverallHealth));
        grid.AddRow(Cells.Text("Action"), Cells.Text(report.RecommendedAction));
        console.Write(grid);

        if (!report.HasRegressions || report.Regressions is not { Count: > 0 } regressions)
        {
            console.Write(new Text($"No regressions.{Environment.NewLine}", new Style(Color.Green)));
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"{regressions.Count} regression(s)");
        table.AddColumn("Benchmark");
        table.AddColumn("Metric");
        table.AddColumn("Direction");
        table.AddColumn(new TableColumn("Baseline").RightAligned());
        table.AddColumn(new TableColumn("Current").RightAligned());
        table.AddColumn(new TableColumn("Worse by").RightAligned());
        table.AddColumn("Severity");
        table.AddColumn("Impact");
        foreach (var r in regressions)
        {
            table.AddRow(
                Cells.Text(r.BenchmarkName ?? r.BenchmarkId),
                Cells.Text(r.Metric),
                Cells.Text(r.Direction),
                Cells.Value(r.BaselineValue),
                Cells.Value(r.CurrentValue),
                Cells.Fraction(r.RegressionPercentage),
                Cells.Severity(r.Severity),
                Cells.Text(r.ImpactAnalysis));
        }

        console.Write(table);
    }
}
