namespace BenchMesh.Regression.Evaluation;

/// <summary>
/// How a detector's alerts on labelled series are counted. On a regressed series, the first alert blaming v*±1 is the
/// true positive (its time to detect is at − v*); alerts blaming a version before v* − 1 are false events; alerts
/// blaming a version after v* + 1 re-report the change already in the data (the notes' rule) and count neither way.
/// On a series without a regression every alert is a false event. Each series judges 39 versions (the first has no
/// baseline): those are the null checks.
/// </summary>
public sealed class Tally
{
    public int Regressed { get; private set; }
    public int NullSeries { get; private set; }
    public int TruePositives { get; private set; }
    public int Exact { get; private set; }
    public int FalseEvents { get; private set; }
    public int NullAlerts { get; private set; }
    public List<int> TimesToDetect { get; } = [];

    public const int ChecksPerSeries = Corpus.Versions - 1;

    public void Add(HistoryTask task, IReadOnlyList<Raised> alerts)
    {
        if (task.ChangeAt is not { } changeAt)
        {
            NullSeries++;
            NullAlerts += alerts.Count;
            FalseEvents += alerts.Count;
            return;
        }

        Regressed++;
        var hit = false;
        foreach (var alert in alerts.OrderBy(a => a.At))
        {
            if (!hit && Math.Abs(alert.Blamed - changeAt) <= 1)
            {
                hit = true;
                TruePositives++;
                Exact += alert.Blamed == changeAt ? 1 : 0;
                TimesToDetect.Add(Math.Max(0, alert.At - changeAt));
            }
            else if (alert.Blamed < changeAt - 1)
            {
                FalseEvents++;
            }
        }
    }

    public void Add(Tally other)
    {
        Regressed += other.Regressed;
        NullSeries += other.NullSeries;
        TruePositives += other.TruePositives;
        Exact += other.Exact;
        FalseEvents += other.FalseEvents;
        NullAlerts += other.NullAlerts;
        TimesToDetect.AddRange(other.TimesToDetect);
    }

    public double Recall => Regressed == 0 ? double.NaN : TruePositives / (double)Regressed;
    public double ExactRate => Regressed == 0 ? double.NaN : Exact / (double)Regressed;
    public double Precision => TruePositives + FalseEvents == 0 ? 1 : TruePositives / (double)(TruePositives + FalseEvents);
    public double Fdr => 1 - Precision;
    public double F1 => Recall + Precision == 0 || double.IsNaN(Recall) ? 0 : 2 * Precision * Recall / (Precision + Recall);
    public double FalsePer100NullChecks => NullSeries == 0 ? double.NaN : 100.0 * NullAlerts / (NullSeries * ChecksPerSeries);

    public (double Median, double P90) TimeToDetect
    {
        get
        {
            if (TimesToDetect.Count == 0)
            {
                return (double.NaN, double.NaN);
            }

            var sorted = TimesToDetect.Order().ToArray();
            return (sorted[sorted.Length / 2], sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(0.9 * sorted.Length) - 1)]);
        }
    }

    /// <summary>
    /// 95 % interval of F1: F1 = 2·TP / (2·TP + FP + FN) is read as a proportion of 2·TP successes in 2·TP + FP + FN
    /// trials and given its Wilson interval (an approximation: the doubled true positives are not independent trials).
    /// </summary>
    public (double Low, double High) F1Interval => Wilson(2 * TruePositives, 2 * TruePositives + FalseEvents + (Regressed - TruePositives));

    /// <summary>95 % Wilson interval of a proportion.</summary>
    public static (double Low, double High) Wilson(int successes, int trials)
    {
        if (trials == 0)
        {
            return (double.NaN, double.NaN);
        }

        const double z = 1.959964;
        var p = successes / (double)trials;
        var denominator = 1 + z * z / trials;
        var centre = (p + z * z / (2 * trials)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / trials + z * z / (4.0 * trials * trials)) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}

/// <summary>The strata of effect in standard errors the figures are reported in.</summary>
public static class Strata
{
    public static readonly string[] Names = ["z < 2", "2 ≤ z < 3", "3 ≤ z < 4", "z ≥ 4"];

    public static string Of(double z) => z switch
    {
        < 2 => Names[0],
        < 3 => Names[1],
        < 4 => Names[2],
        _ => Names[3],
    };
}
