using System.Globalization;
using System.Text;

namespace BenchMesh.FaultInjection;

/// <summary>One run of the campaign: what was injected, how the run ended and what it stored and cost.</summary>
public sealed record RunOutcome(
    FaultKind? Fault,
    string FinalStatus,
    LedgerCheck Ledger,
    int CallsMade,
    int CallsExpected,
    TimeSpan? Recovery,
    TimeSpan? Duration)
{
    public bool Completed => FinalStatus == "completed";
}

/// <summary>The figures of one fault over its repeats (a table row).</summary>
public sealed record FaultSummary(
    string Fault,
    int Runs,
    int Completed,
    int Lost,
    int CountedTwice,
    int CallsMade,
    int CallsExpected,
    double? RecoveryMedianSeconds,
    double? RecoveryMaxSeconds,
    double? DurationMedianSeconds)
{
    /// <summary>The goal: every run completed, no sample lost, none counted twice.</summary>
    public bool Passed => Completed == Runs && Lost == 0 && CountedTwice == 0;

    public static FaultSummary From(string fault, IReadOnlyCollection<RunOutcome> runs)
    {
        var recoveries = runs.Where(r => r.Completed && r.Recovery is not null).Select(r => r.Recovery!.Value.TotalSeconds).ToList();
        var durations = runs.Where(r => r.Completed && r.Duration is not null).Select(r => r.Duration!.Value.TotalSeconds).ToList();
        return new FaultSummary(
            fault,
            runs.Count,
            runs.Count(r => r.Completed),
            runs.Sum(r => r.Ledger.Lost),
            runs.Sum(r => r.Ledger.CountedTwice),
            runs.Sum(r => r.CallsMade),
            runs.Sum(r => r.CallsExpected),
            Median(recoveries),
            recoveries.Count > 0 ? recoveries.Max() : null,
            Median(durations));
    }

    public static double? Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

public static class Report
{
    private static readonly string[] Headers =
        ["fault", "runs completed", "samples lost", "counted twice", "agent calls made / expected", "recover s median (max)", "run s median"];

    /// <summary>The table, then one PASS/FAIL line per fault (a row without a fault, the clean run, gets none).</summary>
    public static string Render(IReadOnlyList<FaultSummary> rows, IReadOnlySet<string> faultsWithVerdict)
    {
        static string Seconds(double? s) => s is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";
        var cells = rows.Select(r => new[]
        {
            r.Fault,
            $"{r.Completed}/{r.Runs}",
            r.Lost.ToString("N0", CultureInfo.InvariantCulture),
            r.CountedTwice.ToString("N0", CultureInfo.InvariantCulture),
            $"{r.CallsMade.ToString("N0", CultureInfo.InvariantCulture)} / {r.CallsExpected.ToString("N0", CultureInfo.InvariantCulture)}",
            r.RecoveryMedianSeconds is null ? "-" : $"{Seconds(r.RecoveryMedianSeconds)} ({Seconds(r.RecoveryMaxSeconds)})",
            Seconds(r.DurationMedianSeconds),
        }).ToList();
        var widths = Headers.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max()).ToArray();

        var text = new StringBuilder();
        void Line(IReadOnlyList<string> values) =>
            text.AppendLine(string.Join("  ", values.Select((v, i) => i == 0 ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))).TrimEnd());
        Line(Headers);
        foreach (var row in cells)
        {
            Line(row);
        }

        text.AppendLine();
        foreach (var row in rows.Where(r => faultsWithVerdict.Contains(r.Fault)))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{(row.Passed ? "PASS" : "FAIL")} {row.Fault}: {row.Completed}/{row.Runs} runs completed, {row.Lost} samples lost, {row.CountedTwice} counted twice");
        }

        return text.ToString();
    }
}
