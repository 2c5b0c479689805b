using BenchMesh.Statistics.Engine;
using BenchMesh.Statistics.Procedures;
using MathNet.Numerics.Distributions;

namespace BenchMesh.Regression.Evaluation;

/// <summary>A regression alert: raised while judging version <see cref="At"/>, blaming version <see cref="Blamed"/> (0-based).</summary>
public readonly record struct Raised(int At, int Blamed);

/// <summary>
/// A detector judged on the corpus: every version in order, each with only the data before it. Each reference takes its
/// decision threshold as a constructor argument (its published default when omitted), which calibration moves to match
/// a false-alarm budget.
/// </summary>
public interface IDetector
{
    string Name { get; }

    IReadOnlyList<Raised> Detect(HistoryTask task);
}

/// <summary>BenchMesh's engine, with re-runs from the generator for its confirmation path.</summary>
public sealed class EngineDetector(RerunSource reruns, RegressionEngineOptions? options = null) : IDetector
{
    private readonly RegressionEngine _engine = new(options);

    public string Name => "BenchMesh engine";

    public IReadOnlyList<Raised> Detect(HistoryTask task)
    {
        var verdict = _engine.Analyze([task.Series], reruns).Single();
        return verdict.Alerts.Select(a => new Raised(Index(a.AtVersion), Index(a.BlamedVersion))).ToList();
    }

    private static int Index(string version) => int.Parse(version, System.Globalization.CultureInfo.InvariantCulture) - 1;
}

/// <summary>Per-version means of the runs (what the history detectors see).</summary>
internal static class VersionMeans
{
    public static double[] Of(HistoryTask task) => task.Series.Versions.Select(v => v.Runs!.Average()).ToArray();
}

/// <summary>
/// Bencher's default threshold model: a t-test prediction interval over the last 64 values (one per version, no
/// reset), StudentT(mean, sd·√(1 + 1/N), N − 1), upper boundary 0.99 (one-sided, latency).
/// </summary>
public sealed class BencherDetector(double boundary = 0.99, int maxSample = 64) : IDetector
{
    public string Name => boundary == 0.99 ? "Bencher t_test (0.99, 64)" : $"Bencher t_test (calibrated {boundary:0.######})";

    public IReadOnlyList<Raised> Detect(HistoryTask task)
    {
        var means = VersionMeans.Of(task);
        var alerts = new List<Raised>();
        for (var i = 2; i < means.Length; i++)
        {
            var history = means.Skip(Math.Max(0, i - maxSample)).Take(Math.Min(i, maxSample)).ToArray();
            var n = history.Length;
            var mean = history.Average();
            var sd = Math.Sqrt(history.Sum(v => (v - mean) * (v - mean)) / (n - 1));
            var limit = mean + sd * Math.Sqrt(1 + 1.0 / n) * Quantile(n - 1);
            if (means[i] > limit)
            {
                alerts.Add(new Raised(i, i));
            }
        }

        return alerts;
    }

    private readonly Dictionary<int, double> _quantiles = [];

    /// <summary>Student's t quantile at the boundary; the closed form for 1 and 2 degrees of freedom, where root finding struggles.</summary>
    private double Quantile(int degreesOfFreedom)
    {
        lock (_quantiles)
        {
            if (!_quantiles.TryGetValue(degreesOfFreedom, out var q))
            {
                q = degreesOfFreedom switch
                {
                    1 => Math.Tan(Math.PI * (boundary - 0.5)),
                    2 => (2 * boundary - 1) / Math.Sqrt(2 * boundary * (1 - boundary)),
                    _ => StudentT.InvCDF(0, 1, degreesOfFreedom, boundary),
                };
                _quantiles[degreesOfFreedom] = q;
            }

            return q;
        }
    }
}

/// <summary>Apache Otava: E-divisive with t-test significance over per-version means, window 50; an alert when a new change point upwards appears.</summary>
public sealed class OtavaDetector(double maxPValue = 1e-3) : IDetector
{
    public string Name => maxPValue is 1e-3 or 1e-4 ? $"Otava (window 50, p {maxPValue:0.####})" : $"Otava (calibrated p {maxPValue:G3})";

    public IReadOnlyList<Raised> Detect(HistoryTask task)
    {
        var means = VersionMeans.Of(task);
        var alerts = new List<Raised>();
        var reported = new List<int>();
        for (var i = 3; i < means.Length; i++)
        {
            foreach (var point in EDivisive.Detect(means.AsSpan(0, i + 1), new EDivisiveOptions(50, maxPValue, 0)))
            {
                if (point.MeanAfter > point.MeanBefore && !reported.Any(r => Math.Abs(r - point.Index) <= 1))
                {
                    reported.Add(point.Index);
                    alerts.Add(new Raised(i, point.Index));
                }
            }
        }

        return alerts;
    }
}

/// <summary>
/// Mozilla Perfherder: a t statistic between the 12 versions from a candidate on (fore window) and up to 24 before it
/// (at least 12); an alert at the candidate when t &gt; 7, t is a local maximum, and the change is ≥ 2 % upwards, once
/// the fore windows are filled.
/// </summary>
public sealed class PerfherderDetector(double tThreshold = 7) : IDetector
{
    public string Name => tThreshold == 7 ? "Perfherder (t > 7, 2 %)" : $"Perfherder (calibrated t > {tThreshold:0.##})";

    public IReadOnlyList<Raised> Detect(HistoryTask task)
    {
        var means = VersionMeans.Of(task);
        var alerts = new List<Raised>();
        int? last = null;
        for (var i = 24; i < means.Length; i++)
        {
            // The candidate j = i − 12: its fore window and its right neighbour's are complete, so t can be compared
            // with both neighbours (Perfherder alerts at the local maximum of t).
            var j = i - 12;
            if (j < 13 || j - last < 12)
            {
                continue;
            }

            var (t, change) = Statistic(means, j);
            if (t > tThreshold && change >= 0.02 && t >= Statistic(means, j - 1).T && t >= Statistic(means, j + 1).T)
            {
                alerts.Add(new Raised(i, j));
                last = j;
            }
        }

        return alerts;
    }

    private static (double T, double Change) Statistic(double[] means, int j)
    {
        var back = means.Skip(Math.Max(0, j - 24)).Take(Math.Min(24, j)).ToArray();
        var fore = means.Skip(j).Take(12).ToArray();
        return (Welch.Test(fore, back).T, fore.Average() / back.Average() - 1);
    }
}

/// <summary>Pinpoint's compare against the parent version: p = min(KS, Mann-Whitney) ≤ 0.01, and the candidate is slower.</summary>
public sealed class PinpointDetector(double level = 0.01) : IDetector
{
    public string Name => level == 0.01 ? "Pinpoint vs parent (p ≤ 0.01)" : $"Pinpoint vs parent (calibrated p ≤ {level:G3})";

    public IReadOnlyList<Raised> Detect(HistoryTask task)
    {
        var versions = task.Series.Versions;
        var alerts = new List<Raised>();
        for (var i = 1; i < versions.Count; i++)
        {
            var x = versions[i].Runs!.ToArray();
            var y = versions[i - 1].Runs!.ToArray();
            var p = Math.Min(KolmogorovSmirnov(x, y), MannWhitney.Test(x, y).PTwoSided);
            if (p <= level && x.Average() > y.Average())
            {
                alerts.Add(new Raised(i, i));
            }
        }

        return alerts;
    }

    /// <summary>Two-sample Kolmogorov-Smirnov p-value (asymptotic, with Stephens' small-sample correction; Numerical Recipes).</summary>
    private static double KolmogorovSmirnov(double[] x, double[] y)
    {
        var a = x.Order().ToArray();
        var b = y.Order().ToArray();
        int i = 0, j = 0;
        var d = 0.0;
        while (i < a.Length && j < b.Length)
        {
            var v = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= v)
            {
                i++;
            }

            while (j < b.Length && b[j] <= v)
            {
                j++;
            }

            d = Math.Max(d, Math.Abs(i / (double)a.Length - j / (double)b.Length));
        }

        var en = Math.Sqrt(a.Length * (double)b.Length / (a.Length + b.Length));
        var lambda = (en + 0.12 + 0.11 / en) * d;
        var sum = 0.0;
        for (var k = 1; k <= 100; k++)
        {
            var term = 2 * (k % 2 == 1 ? 1 : -1) * Math.Exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-10)
            {
                break;
            }
        }

        return Math.Clamp(sum, 0, 1);
    }
}

/// <summary>A naive fixed-percentage gate (CodSpeed-style): version mean more than the threshold above the previous version's.</summary>
public sealed class NaiveDetector(double threshold = 0.05) : IDetector
{
    public string Name => threshold == 0.05 ? "Naive 5 % threshold" : $"Naive threshold (calibrated {threshold:P1})";

    public IReadOnlyList<Raised> Detect(HistoryTask task)
    {
        var means = VersionMeans.Of(task);
        var alerts = new List<Raised>();
        for (var i = 1; i < means.Length; i++)
        {
            if (means[i] / means[i - 1] - 1 > threshold)
            {
                alerts.Add(new Raised(i, i));
            }
        }

        return alerts;
    }
}

/// <summary>
/// The simple reference: a Mann-Whitney gate against the stable segment plus a change-point split. Each version's
/// runs are tested two-sided against the pooled runs of every version since the last detected change, once that segment
/// holds two versions; when p ≤ α for it and for the next version, the single best split of the window (segment start to now) by the standardized shift
/// of the pooled run means, |mean after − mean before|·√(n_b·n_a/(n_b + n_a)) (the CUSUM statistic), names the version and the segment
/// restarts there. Only an upward (slower) split is an alert: an improvement is a change that ends the stable segment,
/// not a regression. Default α = 0.05 (the conventional level of one test, not corrected for the 39 checks of a series;
/// calibration to the false-event budget does that).
/// </summary>
public sealed class MannWhitneySegmentDetector(double level = 0.05) : IDetector
{
    public string Name => level == 0.05 ? "MWU segment + split (α 0.05)" : $"MWU segment + split (calibrated α {level:G3})";

    public IReadOnlyList<Raised> Detect(HistoryTask task)
    {
        var runs = task.Series.Versions.Select(v => v.Runs!.ToArray()).ToArray();
        var alerts = new List<Raised>();
        var start = 0;
        for (var i = 2; i < runs.Length; i++)
        {
            if (i - start < 2)
            {
                continue;
            }

            var segment = runs[start..i].SelectMany(r => r).ToArray();
            // Persistence: version i and the next one must both reject against the same segment, and the decision is
            // taken at i + 1. Without it a single-version outlier (the corpus's reverting +30 % decoy) is an alert at
            // any α, and calibration drives α to ~1e-6, where the gate sees almost nothing.
            if (i + 1 < runs.Length && MannWhitney.Test(runs[i], segment).PTwoSided <= level && MannWhitney.Test(runs[i + 1], segment).PTwoSided <= level)
            {
                i++;
                var (blamed, upward) = Split(runs, start, i);
                if (upward)
                {
                    alerts.Add(new Raised(i, blamed));
                }

                start = blamed;
            }
        }

        return alerts;
    }

    /// <summary>The split k ∈ (start, end] with the largest standardized mean shift between runs of [start, k) and [k, end], and its direction.</summary>
    private static (int At, bool Upward) Split(double[][] runs, int start, int end)
    {
        var window = runs[start..(end + 1)];
        var total = window.Sum(r => r.Length);
        var (best, bestScore) = (end, 0.0);
        for (var k = 1; k < window.Length; k++)
        {
            var before = window[..k].SelectMany(r => r).ToArray();
            var after = window[k..].SelectMany(r => r).ToArray();
            var score = (after.Average() - before.Average()) * Math.Sqrt(before.Length * (double)after.Length / total);
            if (Math.Abs(score) > Math.Abs(bestScore))
            {
                (best, bestScore) = (start + k, score);
            }
        }

        return (best, bestScore > 0);
    }
}
