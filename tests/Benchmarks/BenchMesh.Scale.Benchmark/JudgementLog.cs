using System.Globalization;
using System.Text.RegularExpressions;

namespace BenchMesh.Scale.Benchmark;

/// <summary>
/// Regression's Debug line per judgement ("Judged execution ... in T ms (lock L, read R, judge J of which engine E,
/// writes W)", ExecutionScoredConsumer) read back from its log: the medians of each part.
/// </summary>
public static partial class JudgementLog
{
    public const string Category = "BenchMesh.Regression.Consumers.ExecutionScoredConsumer";

    public static string Summary(string logFile)
    {
        var parts = new[] { "total", "lock", "read", "judge", "engine", "writes" };
        var values = parts.ToDictionary(p => p, _ => new List<double>());
        var executions = new List<double>();
        foreach (var line in File.Exists(logFile) ? File.ReadLines(logFile) : [])
        {
            if (Line().Match(line) is not { Success: true } m)
            {
                continue;
            }

            executions.Add(Number(m.Groups["executions"].Value));
            foreach (var part in parts)
            {
                values[part].Add(Number(m.Groups[part].Value));
            }
        }

        return executions.Count == 0
            ? "no judgement logged"
            : $"{executions.Count} judgements of {Median(executions):N0} executions each: {Median(values["total"]):N0} ms (lock {Median(values["lock"]):N0}, "
              + $"read {Median(values["read"]):N0}, judge {Median(values["judge"]):N0} of which engine {Median(values["engine"]):N0}, writes {Median(values["writes"]):N0})";
    }

    private static double Number(string text) => double.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    [GeneratedRegex(@"Judged execution \S+ of \S+: (?<executions>[\d,]+) executions, \d+ cells in (?<total>[\d.,]+) ms \(lock (?<lock>[\d.,]+), read (?<read>[\d.,]+), judge (?<judge>[\d.,]+) of which engine (?<engine>[\d.,]+), writes (?<writes>[\d.,]+)\)")]
    private static partial Regex Line();
}
