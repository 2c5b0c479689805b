using System.Globalization;
using System.Text.Json;
using BenchMesh.Statistics.Engine;

namespace BenchMesh.Regression.Evaluation;

/// <summary>
/// Writes the corpus in <c>benchmesh regress</c>'s input format (series.jsonl) and its truth beside it (labels.jsonl).
/// Runs are written to 0.1 (0.1 % of the base level), which keeps the full corpus under 20 MB; the evaluation itself
/// judges the unrounded values.
/// </summary>
public static class CorpusWriter
{
    public static void Write(string directory, IReadOnlyList<HistoryTask> tasks)
    {
        Directory.CreateDirectory(directory);
        using var series = new StreamWriter(Path.Combine(directory, "series.jsonl"));
        using var labels = new StreamWriter(Path.Combine(directory, "labels.jsonl"));
        foreach (var task in tasks)
        {
            series.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = task.Series.Id,
                ["metric"] = task.Series.Metric.Name,
                ["versions"] = task.Series.Versions.Select(v => new Dictionary<string, object>
                {
                    ["version"] = v.Version,
                    ["runs"] = v.Runs!.Select(r => Math.Round(r, 1)).ToArray(),
                }).ToArray(),
            }));
            labels.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = task.Series.Id,
                ["regressed_at_version"] = task.ChangeAt is { } c ? (c + 1).ToString(CultureInfo.InvariantCulture) : null,
                ["shift"] = task.Delta,
                ["noise"] = task.Noise.ToString(),
                ["runs"] = task.Runs,
                ["decoy"] = task.Decoy.ToString(),
                ["z"] = Math.Round(task.Z, 3),
            }));
        }
    }

    /// <summary>Reads series.jsonl back through the CLI's parser: the corpus is valid `benchmesh regress` input.</summary>
    public static IReadOnlyList<SeriesInput> ReadBack(string directory)
    {
        using var reader = new StreamReader(Path.Combine(directory, "series.jsonl"));
        return SeriesJson.Read(reader);
    }
}
