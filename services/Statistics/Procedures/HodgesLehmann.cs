using MathNet.Numerics.Distributions;

namespace BenchMesh.Statistics.Procedures;

/// <summary>A location or shift estimate with its distribution-free bounds and the two-sided misrate they achieve.</summary>
public sealed record ShiftEstimate(double Estimate, double Lower, double Upper, double Misrate);

/// <summary>
/// Hodges-Lehmann estimators with distribution-free bounds (Bauer 1972; Pragmastat's Shift and Center bounds):
/// the two-sample shift is the median of all xᵢ − yⱼ, bounded by the k-th smallest and k-th largest of those
/// differences, k from the Mann-Whitney null distribution; the one-sample centre is the median of the Walsh
/// averages, bounded through the signed-rank distribution. When the requested misrate is below what the sizes
/// allow (2/C(n+m, n) for the shift), the bounds are the extremes and <see cref="ShiftEstimate.Misrate"/> says what
/// they achieve.
/// </summary>
public static class HodgesLehmann
{
    /// <summary>
    /// Above this many values (n + m for the shift, n for the centre) the rank of the bound comes from the normal
    /// approximation, k = ⌊μ − z₁₋misrate/2·σ⌋ (slightly conservative; no tie correction, as for the exact ranks).
    /// </summary>
    private const int ExactLimit = 60;

    /// <summary>
    /// Up to this many pairwise values they are built and sorted; above it the order statistics are selected without
    /// building them (<see cref="PairwiseOrderStatistics"/>): the same values, in O(n log n) memory and time.
    /// </summary>
    internal const int SortLimit = 4_096;

    /// <summary>
    /// The median of all xᵢ − yⱼ with bounds d₍k₎ and d₍nm−k+1₎, k the largest rank with 2·P(U ≤ k − 1) ≤ misrate under
    /// the no-ties Mann-Whitney null (R's wilcox.test(conf.int = TRUE) rule, qwilcox); <see cref="ShiftEstimate.Misrate"/>
    /// is 2·P(U ≤ k − 1), the misrate achieved.
    /// </summary>
    public static ShiftEstimate Shift(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double misrate)
    {
        if (x.Length == 0 || y.Length == 0)
        {
            throw new ArgumentException("Both samples need at least one value.");
        }

        var n = x.Length;
        var m = y.Length;
        var count = n * (long)m;
        var (k, achieved) = n + m <= ExactLimit
            ? RankDistributions.BoundRank(RankDistributions.MannWhitney(n, m), misrate)
            : NormalBoundRank(n * (double)m / 2, Math.Sqrt(n * (double)m * (n + m + 1) / 12), misrate, count);
        if (count <= SortLimit)
        {
            var differences = new double[count];
            var index = 0;
            foreach (var xi in x)
            {
                foreach (var yj in y)
                {
                    differences[index++] = xi - yj;
                }
            }

            Array.Sort(differences);
            return new ShiftEstimate(Median(differences), differences[k - 1], differences[count - k], achieved);
        }

        var sortedX = x.ToArray();
        var sortedY = y.ToArray();
        Array.Sort(sortedX);
        Array.Sort(sortedY);
        return Estimate(PairwiseOrderStatistics.Differences(sortedX, sortedY), k, achieved);
    }

    /// <summary>
    /// The median of the Walsh averages (dᵢ + dⱼ)/2, i ≤ j, with bounds w₍k₎ and w₍N−k+1₎ (N = n(n+1)/2), k the largest rank
    /// with 2·P(W⁺ ≤ k − 1) ≤ misrate under the signed-rank null (R's qsignrank rule).
    /// </summary>
    public static ShiftEstimate Center(ReadOnlySpan<double> differences, double misrate)
    {
        var n = differences.Length;
        if (n == 0)
        {
            throw new ArgumentException("At least one value is needed.");
        }

        var count = n * (n + 1L) / 2;
        var (k, achieved) = n <= ExactLimit
            ? RankDistributions.BoundRank(RankDistributions.SignedRank(n), misrate)
            : NormalBoundRank(n * (n + 1.0) / 4, Math.Sqrt(n * (n + 1.0) * (2.0 * n + 1) / 24), misrate, count);
        if (count <= SortLimit)
        {
            var walsh = new double[count];
            var index = 0;
            for (var i = 0; i < n; i++)
            {
                for (var j = i; j < n; j++)
                {
                    walsh[index++] = (differences[i] + differences[j]) / 2;
                }
            }

            Array.Sort(walsh);
            return new ShiftEstimate(Median(walsh), walsh[k - 1], walsh[count - k], achieved);
        }

        var sorted = differences.ToArray();
        Array.Sort(sorted);
        return Estimate(PairwiseOrderStatistics.WalshAverages(sorted), k, achieved);
    }

    /// <summary>The median and the k-th smallest and largest of the pairwise values, each selected (as the sort would give them).</summary>
    private static ShiftEstimate Estimate(PairwiseOrderStatistics pairs, long k, double achieved)
    {
        var count = pairs.Count;
        var median = count % 2 == 1
            ? pairs.Select(count / 2 + 1)
            : (pairs.Select(count / 2) + pairs.Select(count / 2 + 1)) / 2;
        return new ShiftEstimate(median, pairs.Select(k), pairs.Select(count - k + 1), achieved);
    }

    private static (long K, double Misrate) NormalBoundRank(double mean, double sd, double misrate, long count)
    {
        var z = Normal.InvCDF(0, 1, 1 - misrate / 2);
        var k = (long)Math.Floor(mean - z * sd);
        k = Math.Clamp(k, 1, (count + 1) / 2);
        var achieved = 2 * Normal.CDF(0, 1, (k - 0.5 - mean) / sd);
        return (k, Math.Min(1, achieved));
    }

    internal static double Median(double[] sorted)
    {
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
