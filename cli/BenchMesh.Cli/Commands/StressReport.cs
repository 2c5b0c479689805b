using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Cli.Rendering;
using BenchMesh.LoadEngine.BreakingPoints;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Metrics;
using Spectre.Console;

namespace BenchMesh.Cli.Commands;

/// <summary>
/// The output of <c>benchmesh stress</c>: a Spectre summary, or (--json) the run's <see cref="LoadResult"/> as one
/// snake_case JSON object, with <c>breaking_point</c> added for a search (its other fields are then the last step's).
/// </summary>
internal static class StressReport
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Write(IAnsiConsole console, LoadResult result, BreakingPointResult? search, bool json)
    {
        if (json)
        {
            var document = JsonSerializer.SerializeToNode(result, Json)!.AsObject();
            if (search is not null)
            {
                document["breaking_point"] = JsonSerializer.SerializeToNode(search, Json);
            }

            JsonOutput.Write(console, document.ToJsonString());
            return;
        }

        WriteSummary(console, result);
        if (search is not null)
        {
            WriteSearch(console, search);
        }
    }

    private static void WriteSummary(IAnsiConsole console, LoadResult r)
    {
        console.Write(new Text(F($"{r.Executor} → {r.Url} ({r.Protocol}), {r.DurationSeconds:0.##} s, {r.Generator.Connections} connections"), new Style(decoration: Decoration.Bold)));
        console.WriteLine();
        var facts = new Grid().AddColumn().AddColumn();
        facts.AddRow(new Text("Rate"), new Text(r.TargetRps is { } target
            ? F($"target {target:N1} req/s, achieved {r.AchievedRps:N1} req/s ({r.AchievedRps / Math.Max(target, 1e-9):P1})")
            : F($"achieved {r.AchievedRps:N1} req/s (closed model: no target)")));
        facts.AddRow(new Text("Requests"), new Text(F($"{r.Requests:N0} completed ({r.Succeeded:N0} ok, {r.ErrorCount:N0} failed, {r.ErrorRate:P2}); dropped {r.Dropped:N0}, late {r.Late:N0}, interrupted {r.Interrupted:N0}")));
        if (r.Errors.Count > 0)
        {
            facts.AddRow(new Text("Errors"), new Text(string.Join(", ", r.Errors.OrderByDescending(e => e.Value).Select(e => F($"{e.Key} {e.Value:N0}")))));
        }

        facts.AddRow(new Text("Generator"), new Text(F($"{r.Generator.CpuCores:0.00} cores, {r.Generator.CpuMicrosPerRequest:0.0} µs CPU per request{(r.Generator.Transport is { } transport ? $", {transport} transport" : "")}")));
        if (r.Aborted)
        {
            facts.AddRow(new Text("Aborted", new Style(Color.Red)), new Text(r.AbortReason ?? "", new Style(Color.Red)));
        }

        console.Write(facts);

        var latency = new Table().Border(TableBorder.Simple).AddColumn("ms");
        foreach (var column in new[] { "p50", "p90", "p95", "p99", "p99.9", "max" })
        {
            latency.AddColumn(new TableColumn(column).RightAligned());
        }

        AddLatency(latency, r.Executor.Contains("arrival", StringComparison.Ordinal) ? "latency (from intended start)" : "latency", r.LatencyMs);
        AddLatency(latency, "service time (send → answer)", r.ServiceTimeMs);
        AddLatency(latency, "schedule lag (generator)", r.ScheduleLagMs);
        console.Write(latency);

        if (r.Thresholds.Count > 0)
        {
            var thresholds = new Table().Border(TableBorder.Simple).AddColumn("threshold").AddColumn(new TableColumn("observed").RightAligned())
                .AddColumn(new TableColumn("limit").RightAligned()).AddColumn("result");
            foreach (var t in r.Thresholds)
            {
                thresholds.AddRow(
                    Cells.Text(t.Expression),
                    Cells.Value(t.Observed),
                    Cells.Value(t.Limit),
                    Cells.Text(t.Passed ? "pass" : "FAIL" + (t.Note is null ? "" : $" ({t.Note})"), new Style(t.Passed ? Color.Green : Color.Red)));
            }

            console.Write(thresholds);
        }
    }

    private static void WriteSearch(IAnsiConsole console, BreakingPointResult search)
    {
        var steps = new Table().Border(TableBorder.Simple).Title("Breaking-point steps")
            .AddColumn(new TableColumn("target req/s").RightAligned()).AddColumn(new TableColumn("achieved").RightAligned())
            .AddColumn(new TableColumn("errors").RightAligned()).AddColumn(new TableColumn("p99 ms").RightAligned()).AddColumn("result");
        foreach (var step in search.Steps)
        {
            steps.AddRow(Cells.Value(step.TargetRps), Cells.Value(step.AchievedRps), Cells.Fraction(step.ErrorRate), Cells.Milliseconds(step.P99Ms),
                Cells.Text(step.Passed ? "pass" : $"FAIL {step.FailedThreshold}", new Style(step.Passed ? Color.Green : Color.Red)));
        }

        console.Write(steps);
        var last = search.LastSustainableRps is { } l ? F($"{l:N1} req/s") : "none (the first step failed)";
        var first = search.FirstFailingRps is { } f
            ? F($"{f:N1} req/s ({search.FailedThreshold}: {search.FailedMetric} was {search.Observed:0.####})")
            : "none up to the max rate";
        console.Write(new Text(F($"Breaking point: last sustainable {last}; first failing {first}{Environment.NewLine}"), new Style(decoration: Decoration.Bold)));
    }

    private static void AddLatency(Table table, string name, LatencySummary l) =>
        table.AddRow(Cells.Text(name), Cells.Value(l.P50), Cells.Value(l.P90), Cells.Value(l.P95), Cells.Value(l.P99), Cells.Value(l.P999), Cells.Value(l.Max));

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
