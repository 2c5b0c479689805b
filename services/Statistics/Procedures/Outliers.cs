using MathNet.Numerics.Distributions;

namespace BenchMesh.Statistics.Procedures;

/// <summary>One step of the generalized ESD test: the index removed, its statistic Rᵢ and the critical value λᵢ.</summary>
public sealed record EsdStep(int Index, double Statistic, double Critical);

/// <summary>Outlier rules for short series of values.</summary>
public static class Outliers
{
    /// <summary>
    /// Hampel filter: flags a point further than k·1.4826·MAD from the median of the centred window of half-width
    /// <paramref name="halfWindow"/> (truncated at the ends, where the classic filter leaves the first and last h points
    /// alone). A window whose MAD is 0 (more than half its values equal) flags nothing, unlike the classic filter,
    /// which then flags any value off the median.
    /// </summary>
    public static bool[] Hampel(ReadOnlySpan<double> values, int halfWindow = 3, double k = 3.0)
    {
        var flags = new bool[values.Length];
        var window = new List<double>(2 * halfWindow + 1);
        for (var i = 0; i < values.Length; i++)
        {
            window.Clear();
            for (var j = Math.Max(0, i - halfWindow); j <= Math.Min(values.Length - 1, i + halfWindow); j++)
            {
                window.Add(values[j]);
            }

            var median = MedianOf(window);
            var mad = MedianOf(window.Select(v => Math.Abs(v - median)).ToList());
            flags[i] = mad > 0 && Math.Abs(values[i] - median) > k * 1.4826 * mad;
        }

        return flags;
    }

    /// <summary>
    /// The generalized extreme Studentized deviate test (Rosner 1983) for up to <paramref name="maxOutliers"/>
    /// outliers at level α: the indices of the values it flags (the r most extreme, r the largest i with Rᵢ &gt; λᵢ;
    /// see <see cref="GeneralizedEsdSteps"/>).
    /// </summary>
    public static IReadOnlyList<int> GeneralizedEsd(ReadOnlySpan<double> values, int maxOutliers, double alpha = 0.05)
    {
        var steps = GeneralizedEsdSteps(values, maxOutliers, alpha);
        var found = 0;
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Statistic > steps[i].Critical)
            {
                found = i + 1;
            }
        }

        return steps.Take(found).Select(s => s.Index).ToList();
    }

    /// <summary>
    /// The steps of the generalized ESD test: at step i (1-based) the value furthest from the mean of the n − i + 1
    /// values left is removed, with Rᵢ = max|x − x̄|/s and λᵢ = (n − i)·t / √((n − i − 1 + t²)(n − i + 1)),
    /// t the 1 − α/(2(n − i + 1)) quantile of Student's t with n − i − 1 degrees of freedom (NIST/SEMATECH e-Handbook
    /// 1.3.5.17.3). At most n − 2 steps; the steps stop early when the values left are all equal.
    /// </summary>
    public static IReadOnlyList<EsdStep> GeneralizedEsdSteps(ReadOnlySpan<double> values, int maxOutliers, double alpha = 0.05)
    {
        var n = values.Length;
        maxOutliers = Math.Min(maxOutliers, n - 2);
        var steps = new List<EsdStep>();
        if (maxOutliers <= 0)
        {
            return steps;
        }

        var remaining = Enumerable.Range(0, n).ToList();
        var data = values.ToArray();
        for (var i = 1; i <= maxOutliers; i++)
        {
            var mean = remaining.Average(r => data[r]);
            var sd = Math.Sqrt(remaining.Sum(r => (data[r] - mean) * (data[r] - mean)) / (remaining.Count - 1));
            if (sd == 0)
            {
                break;
            }

            var worst = remaining.MaxBy(r => Math.Abs(data[r] - mean));
            var left = n - i + 1;
            var t = StudentT.InvCDF(0, 1, left - 2, 1 - alpha / (2.0 * left));
            var critical = (left - 1) * t / Math.Sqrt((left - 2 + t * t) * left);
            steps.Add(new EsdStep(worst, Math.Abs(data[worst] - mean) / sd, critical));
            remaining.Remove(worst);
        }

        return steps;
    }

    internal static double MedianOf(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
