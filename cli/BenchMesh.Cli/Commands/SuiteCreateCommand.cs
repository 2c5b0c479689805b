using System.Globalization;
using System.Text.Json.Nodes;
using BenchMesh.Cli.Rendering;
using BenchMesh.Datasets;

namespace BenchMesh.Cli.Commands;

/// <summary>What <c>benchmesh suite create</c> was given (docs/cli.md).</summary>
public sealed record SuiteCreateArguments(
    string File,
    string? Dataset = null,
    string? Format = null,
    string? Map = null,
    string? Template = null,
    string? Benchmark = null);

/// <summary>
/// What was imported into the suite, for the summary: <paramref name="ContentHash"/> is the items' dataset content hash
/// (<see cref="DatasetContentHash"/>, the definition the Suites service stores).
/// </summary>
internal sealed record DatasetImportSummary(string File, int BenchmarkIndex, int ItemCount, string ContentHash);

/// <summary>
/// <c>benchmesh suite create</c>: <c>POST /suites</c> with the suite file (JSON or YAML, sent as JSON, as written) and,
/// with <c>--dataset</c>, the items imported from a data file placed in one benchmark's <c>dataset.items</c>.
/// The CLI checks only what it needs to place the items; everything else is the API's to judge.
/// </summary>
internal static class SuiteCreateCommand
{
    public static async Task<int> ExecuteAsync(CommandContext context, SuiteCreateArguments arguments, CancellationToken ct)
    {
        JsonObject suite;
        DatasetImportSummary? summary = null;
        try
        {
            suite = DocumentFile.ReadObject(arguments.File);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            ProblemRenderer.Message(context.Error, $"{arguments.File}: {ex.Message}");
            return ExitCodes.Usage;
        }

        if (arguments.Dataset is { } dataset)
        {
            try
            {
                summary = AddItems(suite, dataset, arguments);
            }
            catch (DatasetFormatException ex)
            {
                ProblemRenderer.Message(context.Error, ex.Line > 0 ? $"{dataset}, {ex.Message}" : $"{dataset}: {ex.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                ProblemRenderer.Message(context.Error, ex.Message);
                return ExitCodes.Usage;
            }
        }

        var response = await context.Gateway.CreateSuiteAsync(suite, ct);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response.Json);
        }
        else
        {
            CreatedRenderer.Suite(context.Out, response.Value, summary);
        }

        return ExitCodes.Success;
    }

    private static DatasetImportSummary AddItems(JsonObject suite, string dataset, SuiteCreateArguments arguments)
    {
        var format = arguments.Format is { } name
            ? DatasetFormats.TryParse(name, out var parsed) ? parsed : throw new FormatException($"--format: '{name}' is not a dataset format")
            : DatasetFormats.FromFileName(dataset)
                ?? throw new FormatException($"--format is needed: '{Path.GetFileName(dataset)}' does not say it ({string.Join(", ", DatasetFormats.Names)})");
        var options = new DatasetImportOptions { Mapping = FieldMapping.Parse(arguments.Map), Template = arguments.Template };
        var (index, benchmark) = TargetBenchmark(suite, arguments.Benchmark);

        IReadOnlyList<SuiteItem> items;
        try
        {
            items = DatasetImporter.ImportFile(dataset, format, options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"cannot read '{dataset}': {ex.Message}", ex);
        }

        if (benchmark["dataset"] is not JsonObject target)
        {
            target = benchmark["dataset"] is null ? new JsonObject() : throw new FormatException($"{arguments.File}: benchmarks[{index}].dataset must be an object");
            benchmark["dataset"] = target;
        }

        if (target["items"] is JsonArray { Count: > 0 })
        {
            throw new FormatException($"{arguments.File}: benchmarks[{index}].dataset.items already holds items; remove them or leave out --dataset");
        }

        target["items"] = SuiteItemJson.ToJsonArray(items);
        return new DatasetImportSummary(dataset, index, items.Count, DatasetContentHash.Compute(items));
    }

    /// <summary>
    /// The benchmark that gets the items: <c>--benchmark</c> as a 0-based index or as a benchmark's <c>name</c> or
    /// <c>benchmark_id</c>; without it, the suite's only benchmark.
    /// </summary>
    private static (int Index, JsonObject Benchmark) TargetBenchmark(JsonObject suite, string? selector)
    {
        if (suite["benchmarks"] is not JsonArray benchmarks || benchmarks.Count == 0)
        {
            throw new FormatException("the suite file has no benchmarks to put the dataset in");
        }

        int index;
        if (selector is null)
        {
            index = benchmarks.Count == 1
                ? 0
                : throw new FormatException($"the suite has {benchmarks.Count} benchmarks: name the one that gets the items with --benchmark NAME|INDEX");
        }
        else if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            index = position < benchmarks.Count ? position : throw new FormatException($"--benchmark {position}: the suite has {benchmarks.Count} benchmarks (0 to {benchmarks.Count - 1})");
        }
        else
        {
            var matches = benchmarks
                .Select((b, i) => (Benchmark: b as JsonObject, Index: i))
                .Where(b => b.Benchmark is not null && (Text(b.Benchmark, "name") == selector || Text(b.Benchmark, "benchmark_id") == selector))
                .Select(b => b.Index)
                .ToList();
            index = matches.Count switch
            {
                1 => matches[0],
                0 => throw new FormatException($"--benchmark: no benchmark is named '{selector}'"),
                _ => throw new FormatException($"--benchmark: {matches.Count} benchmarks are named '{selector}'; give its index"),
            };
        }

        return benchmarks[index] is JsonObject benchmark ? (index, benchmark) : throw new FormatException($"benchmarks[{index}] must be an object");
    }

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
