using System.Globalization;
using System.Text.Json;
using BenchMesh.Cli.Gateway;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace BenchMesh.Cli.Rendering;

internal static class CostRenderer
{
    public static void Render(IAnsiConsole console, CostAnalysisReport report)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow(Cells.Text("Agent"), Cells.Text(report.AgentName is null ? report.AgentId : $"{report.AgentName} ({report.AgentId})"));
        grid.AddRow(Cells.Text("Current"), Cells.Text(report.CurrentConfiguration is { } c ? Configuration(c.AgentVersion, c.ModelConfiguration) : null));
        grid.AddRow(Cells.Text("Volume"), Cells.Text($"{report.MonthlyTasks?.ToString("N0", CultureInfo.InvariantCulture) ?? Cells.Missing} tasks a month"));
        if (report.SuiteId is not null)
        {
            grid.AddRow(Cells.Text("Suite"), Cells.Text(report.SuiteId));
        }

        console.Write(grid);
        var benchmarks = report.CostPerTask ?? [];
        if (benchmarks.Count == 0)
        {
            console.WriteLine($"No executions for agent {report.AgentId}.");
            return;
        }

        RenderBenchmarks(console, benchmarks, report.PerformancePerDollar ?? []);
        RenderConfigurations(console, report.Configurations ?? []);
        RenderOptimal(console, report.OptimalConfigurations ?? []);

        // The opportunities are sentences; listing them under the tables keeps those readable.
        var opportunities = report.CostOptimizationOpportunities ?? [];
        if (opportunities.Count > 0)
        {
            console.WriteLine("Opportunities:");
        }

        foreach (var opportunity in opportunities)
        {
            console.Write(new Text($"• {opportunity.Description}{Environment.NewLine}", new Style(Color.Yellow)));
        }
    }

    private static void RenderBenchmarks(IAnsiConsole console, IReadOnlyList<BenchmarkCost> benchmarks, IReadOnlyList<BenchmarkPerformancePerDollar> perDollar)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Current configuration, per benchmark");
        table.AddColumn("Benchmark");
        table.AddColumn("Status");
        foreach (var title in new[] { "Succeeded", "Failed", "Cost USD", "Cost/task USD", "Acc × speed", "Perf per $" })
        {
            table.AddColumn(new TableColumn(title).RightAligned());
        }

        table.AddColumn("Note");
        foreach (var b in benchmarks)
        {
            var p = perDollar.FirstOrDefault(x => x.BenchmarkId == b.BenchmarkId);
            table.AddRow(
                Cells.Text(b.BenchmarkName ?? b.BenchmarkId),
                Cells.Status(b.Status),
                Cells.Number(b.SuccessfulTasks),
                Cells.Number(b.FailedTasks),
                Money(b.CostUsd),
                Money(b.Value),
                Cells.Score(p?.PerformanceScore),
                Cells.Value(p?.Value),
                Cells.Text(b.Reason ?? p?.Reason));
        }

        console.Write(table);
    }

    private static void RenderConfigurations(IAnsiConsole console, IReadOnlyList<CostConfigurationSummary> configurations)
    {
        if (configurations.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Configurations (cost per task and accuracy × speed over the same benchmarks)");
        table.AddColumn("Configuration");
        foreach (var title in new[] { "Benchmarks", "Cost/task USD", "Performance", "Efficiency", "Savings/month USD" })
        {
            table.AddColumn(new TableColumn(title).RightAligned());
        }

        table.AddColumn("Frontier");
        foreach (var c in configurations)
        {
            var name = Configuration(c.AgentVersion, c.ModelConfiguration) + (c.IsCurrent ? " (current)" : "");
            table.AddRow(
                Cells.Text(name, c.IsCurrent ? new Style(decoration: Decoration.Bold) : Style.Plain),
                Cells.Number(c.Benchmarks),
                Money(c.CostPerTaskUsd),
                Cells.Score(c.Performance),
                Cells.Score(c.EfficiencyScore),
                Money(c.EstimatedSavings),
                Cells.Text(!c.Comparable ? "not comparable" : c.OnFrontier == true ? "on" : "off"));
        }

        console.Write(table);
    }

    private static void RenderOptimal(IAnsiConsole console, IReadOnlyList<OptimalCostConfiguration> optimal)
    {
        if (optimal.Count == 0)
        {
            console.WriteLine("No configuration above the 0.8 efficiency threshold.");
            return;
        }

        console.WriteLine("Optimal configurations (efficiency > 0.8):");
        foreach (var o in optimal)
        {
            var name = Configuration(o.Configuration?.AgentVersion, o.Configuration?.ModelConfiguration) + (o.IsCurrent ? " (current)" : "");
            var savings = o.EstimatedSavings is { } s ? "$" + MoneyText(s) : Cells.Missing;
            console.Write(new Text(
                $"  {name}: efficiency {o.EfficiencyScore?.ToString("0.000", CultureInfo.InvariantCulture) ?? Cells.Missing}, saves {savings} a month{Environment.NewLine}",
                new Style(Color.Green)));
        }
    }

    /// <summary>"2.0 (gpt-big)": the version with its model configuration's <c>model</c>, or the whole object when it has none.</summary>
    private static string Configuration(string? version, JsonElement? model)
    {
        var v = version ?? Cells.Missing;
        return model switch
        {
            { ValueKind: JsonValueKind.Object } m when m.TryGetProperty("model", out var name) && name.ValueKind == JsonValueKind.String => $"{v} ({name.GetString()})",
            { ValueKind: JsonValueKind.Object or JsonValueKind.Array } m => $"{v} {m.GetRawText()}",
            _ => v,
        };
    }

    private static IRenderable Money(decimal? usd) => Cells.Right(usd is { } v ? MoneyText(v) : null);

    /// <summary>Dollars to the cent from $1, every significant decimal below (a cost per task is often $0.0004).</summary>
    private static string MoneyText(decimal usd) =>
        Math.Abs(usd) >= 1 ? usd.ToString("#,0.00", CultureInfo.InvariantCulture) : usd.ToString("0.00######", CultureInfo.InvariantCulture);
}
