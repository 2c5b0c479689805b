using BenchMesh.Cli.Commands;
using BenchMesh.Cli.Gateway;
using Spectre.Console;

namespace BenchMesh.Cli.Rendering;

/// <summary>Prints what <c>agent register</c> and <c>suite create</c> created: the ids a script needs next.</summary>
internal static class CreatedRenderer
{
    public static void Agent(IAnsiConsole console, AgentCreated agent)
    {
        // WriteLine, not MarkupLine: names are the user's text and may hold [brackets].
        console.WriteLine($"Registered agent {agent.Name} ({agent.Protocol}) in workspace {agent.WorkspaceId}");
        console.WriteLine($"  agent_id: {agent.AgentId}");
        var versions = agent.Versions?.Select(v => v.Version).ToList() ?? [];
        console.WriteLine($"  versions: {(versions.Count == 0 ? "none" : string.Join(", ", versions))}");
        console.WriteLine($"  api key:  {(agent.HasApiKey == true ? "stored" : "none")}");
    }

    public static void Schedule(IAnsiConsole console, ScheduleCreated schedule)
    {
        console.WriteLine($"Scheduled runs: {schedule.CronExpression} ({schedule.TimeZone})");
        console.WriteLine($"  schedule_id: {schedule.ScheduleId}");
        console.WriteLine($"  next run:    {schedule.NextFireTime?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
    }

    public static void Suite(IAnsiConsole console, SuiteCreated suite, DatasetImportSummary? import)
    {
        console.WriteLine($"Created suite {suite.SuiteName ?? suite.Name}");
        console.WriteLine($"  suite_id: {suite.SuiteId}");
        var benchmarks = suite.Benchmarks ?? [];
        for (var i = 0; i < benchmarks.Count; i++)
        {
            var benchmark = benchmarks[i];
            var items = benchmark.Dataset?.ItemCount is { } count ? $", {count} items" : "";
            var hash = benchmark.Dataset?.ContentHash is { } contentHash ? $", {contentHash}" : "";
            console.WriteLine($"  benchmarks[{i}] {benchmark.Name}: {benchmark.BenchmarkId}{items}{hash}");
        }

        if (import is not null)
        {
            // One content hash per dataset on screen: the server's is the stored one; it differs from the imported
            // items' when the suite's expected_outputs gave them answers, and then only the server's is shown.
            var stored = import.BenchmarkIndex < benchmarks.Count ? benchmarks[import.BenchmarkIndex].Dataset?.ContentHash : null;
            var imported = $"Imported {import.ItemCount} items from {import.File} into benchmarks[{import.BenchmarkIndex}]";
            console.WriteLine(stored is null || stored == import.ContentHash
                ? $"{imported} (content hash {import.ContentHash})"
                : $"{imported}; the server stored them changed (e.g. answers from expected_outputs): their content hash is the one above");
        }
    }
}
