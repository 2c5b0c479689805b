using MathNet.Numerics.Distributions;

namespace BenchMesh.Statistics.Procedures;

/// <summary>Outlier rules for short series of values.</summary>
public static class Outliers
{
    /// <summary>
    /// Hampel filter: flags a point further than k·1.4826·MAD from the median of the centred window of half-width
    /// <paramref name="halfWindow"/> (truncated at the ends). A window whose MAD is 0 flags nothing.
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
    /// outliers at level α: the indices of the values it flags.
    /// </summary>
    public static IReadOnlyList<int> GeneralizedEsd(ReadOnlySpan<double> values, int maxOutliers, double alpha = 0.05)
    {
        var n = values.Length;
        maxOutliers = Math.Min(maxOutliers, n - 2);
        if (maxOutliers <= 0)
        {
            return [];
        }

        var remaining = Enumerable.Range(0, n).ToList();
        var data = values.ToArray();
        var removed = new List<int>();
        var found = 0;
        for (var i = 1; i <= maxOutliers; i++)
        {
            var mean = remaining.Average(r => data[r]);
            var sd = Math.Sqrt(remaining.Sum(r => (data[r] - mean) * (data[r] - mean)) / (remaining.Count - 1));
            if (sd == 0)
            {
                break;
            }

            var worst = remaining.MaxBy(r => Math.Abs(data[r] - mean));
            var statistic = Math.Abs(data[worst] - mean) / sd;
            var left = n - i + 1;
            var p = 1 - alpha / (2.0 * left);
            var t = StudentT.InvCDF(0, 1, left - 2, p);
            var critical = (left - 1) * t / Math.Sqrt((left - 2 + t * t) * left);
            removed.Add(worst);
            remaining.Remove(worst);
            if (statistic > critical)
            {
                found = i;
            }
        }

        return removed.Take(found).ToList();
    }

    internal static double MedianOf(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
