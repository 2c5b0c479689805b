using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Rendering;

/// <summary>
/// Head-to-head and matrix comparisons: per metric both scores, the difference, the winner only where it is
/// significant (else "no significant difference", never a silent blank), the p- and q-values and the test; then the
/// category winners and the API's recommendations.
/// </summary>
internal static class CompareRenderer
{
    private const string NoSignificantDifference = "no significant difference";

    /// <summary>An overall or category winner that is null: equal numbers of significant wins.</summary>
    private const string Tie = "none (tie)";

    public static void RenderHeadToHead(IAnsiConsole console, PairComparison pair)
    {
        var (a, b) = (pair.AgentA, pair.AgentB);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"Head-to-head: {a.Label} vs {b.Label}"));
        table.AddColumn("Metric");
        // Agent names are the user's text: headers as Text, not markup.
        table.AddColumn(new TableColumn(new Text(a.Label)).RightAligned());
        table.AddColumn(new TableColumn(new Text(b.Label)).RightAligned());
        table.AddColumn(new TableColumn("Difference").RightAligned());
        table.AddColumn(new TableColumn("%").RightAligned());
        table.AddColumn("Winner");
        table.AddColumn(new TableColumn("p").RightAligned());
        table.AddColumn(new TableColumn("q").RightAligned());
        table.AddColumn("Test");
        foreach (var m in pair.DetailedMetrics ?? [])
        {
            var s = m.StatisticalSignificance;
            table.AddRow(
                Cells.Text(m.Metric),
                Cells.Score(m.AgentAScore),
                Cells.Score(m.AgentBScore),
                Cells.Right(m.Difference?.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)),
                // null when agent b scored 0: a percentage of nothing.
                Cells.Right(m.PercentageDifference?.ToString("+0.0'%';-0.0'%';0.0'%'", CultureInfo.InvariantCulture)),
                Winner(pair, m.Winner),
                Cells.Right(PValue(s?.PValue)),
                Cells.Right(PValue(s?.QValue)),
                Cells.Text(s is null ? null : $"{s.Test}, {Samples(s)}"));
        }

        console.Write(table);
        console.Write(new Text(Overall(pair) + Environment.NewLine));
        RenderCategories(console, pair);
        RenderRecommendations(console, pair.Recommendations);
    }

    public static void RenderMatrix(IAnsiConsole console, ComparisonMatrix matrix)
    {
        var pairs = matrix.Pairs ?? [];
        var table = new Table().Border(TableBorder.Rounded).Title($"{pairs.Count} pair(s)");
        table.AddColumn("Agent A");
        table.AddColumn("Agent B");
        table.AddColumn("Overall winner");
        table.AddColumn(new TableColumn("A wins").RightAligned());
        table.AddColumn(new TableColumn("B wins").RightAligned());
        table.AddColumn("Significant metrics");
        foreach (var pair in pairs)
        {
            var significant = (pair.DetailedMetrics ?? []).Where(m => m.Winner is not null).Select(m => $"{m.Metric}: {pair.LabelOf(m.Winner)}").ToList();
            table.AddRow(
                Cells.Text(pair.AgentA.Label),
                Cells.Text(pair.AgentB.Label),
                Winner(pair, pair.OverallWinner, Tie),
                Cells.Number(pair.AgentAWins),
                Cells.Number(pair.AgentBWins),
                Cells.Text(significant.Count == 0 ? "none" : string.Join("; ", significant)));
        }

        console.Write(table);
        foreach (var pair in pairs)
        {
            console.Write(new Text($"{Environment.NewLine}{pair.AgentA.Label} vs {pair.AgentB.Label}:{Environment.NewLine}", new Style(decoration: Decoration.Bold)));
            RenderRecommendations(console, pair.Recommendations);
        }
    }

    private static void RenderCategories(IAnsiConsole console, PairComparison pair)
    {
        if (pair.Categories is not { Count: > 0 } categories)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Category winners");
        table.AddColumn("Category");
        table.AddColumn(new TableColumn("Benchmarks").RightAligned());
        table.AddColumn("Winner");
        table.AddColumn(new TableColumn(new Text($"{pair.AgentA.Label} wins")).RightAligned());
        table.AddColumn(new TableColumn(new Text($"{pair.AgentB.Label} wins")).RightAligned());
        foreach (var c in categories)
        {
            table.AddRow(Cells.Text(c.Category), Cells.Number(c.Benchmarks), Winner(pair, c.Winner, Tie), Cells.Number(c.AgentAWins), Cells.Number(c.AgentBWins));
        }

        console.Write(table);
    }

    private static void RenderRecommendations(IAnsiConsole console, IReadOnlyList<string>? recommendations)
    {
        foreach (var line in recommendations ?? [])
        {
            console.Write(new Text($"  • {line}{Environment.NewLine}"));
        }
    }

    private static string Overall(PairComparison pair)
    {
        var wins = $"{pair.AgentAWins ?? 0} vs {pair.AgentBWins ?? 0} significant metric wins";
        return pair.OverallWinner is null
            ? $"Overall: no winner ({wins})."
            : $"Overall winner: {pair.LabelOf(pair.OverallWinner)} ({wins}).";
    }

    private static IRenderable Winner(PairComparison pair, string? winner, string none = NoSignificantDifference) => winner is null
        ? Cells.Text(none, new Style(Color.Yellow))
        : Cells.Text(pair.LabelOf(winner), new Style(Color.Green));

    private static string Samples(CompareSignificance s) => s.AgentASamples == s.AgentBSamples
        ? $"{s.AgentASamples} {s.SampleUnit}"
        : $"{s.AgentASamples} vs {s.AgentBSamples} {s.SampleUnit}";

    private static string? PValue(double? p) => p switch
    {
        null => null,
        { } v when double.IsNaN(v) => null,
        < 1e-4 => p.Value.ToString("0.0E+0", CultureInfo.InvariantCulture),
        _ => p.Value.ToString("0.####", CultureInfo.InvariantCulture),
    };
}
