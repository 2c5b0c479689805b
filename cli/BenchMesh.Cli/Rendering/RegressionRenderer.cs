using System.Globalization;
using Spectre.Console;
using BenchMesh.Cli.Gateway;
using BenchMesh.Statistics.Engine;

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
        if (!string.IsNullOrEmpty(report.Note))
        {
            console.Write(new Text($"{report.Note}{Environment.NewLine}", new Style(Color.Yellow)));
        }

        if (!report.HasRegressions || report.Regressions is not { Count: > 0 } regressions)
        {
            console.Write(new Text($"No regressions.{Environment.NewLine}", new Style(Color.Green)));
            RenderVerdicts(console, report.Verdicts);
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
        RenderVerdicts(console, report.Verdicts);
    }

    /// <summary>
    /// Every benchmark × metric the engine judged, inconclusive ones with the effect they could have detected (MDE) and
    /// the runs that would settle them: "no regression" is never shown without its power.
    /// </summary>
    private static void RenderVerdicts(IAnsiConsole console, IReadOnlyList<RegressionVerdict>? verdicts)
    {
        if (verdicts is not { Count: > 0 })
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"Verdicts ({Summary(verdicts)})"));
        table.AddColumn("Benchmark");
        table.AddColumn("Metric");
        table.AddColumn("Verdict");
        table.AddColumn(new TableColumn("Effect [[interval]]").RightAligned());
        table.AddColumn(new TableColumn("p").RightAligned());
        table.AddColumn(new TableColumn("q").RightAligned());
        table.AddColumn(new TableColumn("MDE").RightAligned());
        table.AddColumn("Note");
        foreach (var v in verdicts)
        {
            var points = IsPoints(v.Metric);
            table.AddRow(
                Cells.Text(v.BenchmarkName ?? v.BenchmarkId),
                Cells.Text(v.Metric),
                Cells.Verdict(v.Verdict),
                Cells.Right(v.Effect is { } e ? $"{Effect(e.Estimate, points)} [{Effect(e.Lower, points)}, {Effect(e.Upper, points)}]" : null),
                Cells.Right(PValue(v.PValue)),
                Cells.Right(PValue(v.QValue)),
                Cells.Right(v.MinimumDetectableEffect is { } mde && double.IsFinite(mde) ? Magnitude(mde, points) : null),
                Cells.Text(Note(v)));
        }

        console.Write(table);
    }

    private static string Summary(IReadOnlyList<RegressionVerdict> verdicts) => string.Join(", ", verdicts
        .GroupBy(v => v.Verdict ?? Cells.Missing)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => $"{g.Count()} {g.Key}"));

    private static string? Note(RegressionVerdict v)
    {
        var parts = new List<string>();
        if (v.Path is { Length: > 0 } path)
        {
            parts.Add($"via {path}");
        }

        if (v.AdditionalRuns is > 0 and var runs)
        {
            parts.Add($"{runs} more run(s) would settle it");
        }

        if (v.Confirmation == "pending")
        {
            parts.Add("confirmation runs pending");
        }

        if (v.Reason is { Length: > 0 } reason)
        {
            parts.Add(reason);
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>Metrics on the proportion scale (accuracy, error rate, reliability): their effects are differences in points.</summary>
    private static bool IsPoints(string? metric) =>
        metric is not null && MetricRegistry.Default.TryGet(metric, out var definition) && definition.Scale == MetricScale.Proportion;

    private static string Effect(double value, bool points) => points
        ? (value * 100).ToString("+0.0' pts';-0.0' pts';0.0' pts'", CultureInfo.InvariantCulture)
        : value.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture);

    private static string Magnitude(double value, bool points) => points
        ? (value * 100).ToString("0.0' pts'", CultureInfo.InvariantCulture)
        : value.ToString("0.0%", CultureInfo.InvariantCulture);

    private static string? PValue(double? p) => p switch
    {
        null => null,
        { } v when double.IsNaN(v) => null,
        < 1e-4 => p.Value.ToString("0.0E+0", CultureInfo.InvariantCulture),
        _ => p.Value.ToString("0.####", CultureInfo.InvariantCulture),
    };
}
