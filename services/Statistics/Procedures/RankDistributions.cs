using System.Collections.Concurrent;

namespace BenchMesh.Statistics.Procedures;

/// <summary>
/// Exact null distributions of rank statistics as frequency tables (counts, in doubles: C(60, 30) ≈ 1.2·10¹⁷ still
/// has 15 significant digits), cached per sample size.
/// </summary>
internal static class RankDistributions
{
    private static readonly ConcurrentDictionary<(int N, int M), double[]> MannWhitneyCache = new();
    private static readonly ConcurrentDictionary<int, double[]> SignedRankCache = new();

    /// <summary>
    /// Frequencies of U = 0..n·m for samples of n and m without ties: the coefficients of the Gaussian binomial
    /// ∏_{i=1..n} (1 − q^(m+i)) / (1 − q^i).
    /// </summary>
    public static double[] MannWhitney(int n, int m) => MannWhitneyCache.GetOrAdd((n, m), key =>
    {
        var (a, b) = key;
        var size = a * b + 1;
        var poly = new double[size];
        poly[0] = 1;
        for (var i = 1; i <= a; i++)
        {
            // × (1 − q^(b+i))
            var shift = b + i;
            for (var k = size - 1; k >= shift; k--)
            {
                poly[k] -= poly[k - shift];
            }

            // ÷ (1 − q^i): a running sum with stride i.
            for (var k = i; k < size; k++)
            {
                poly[k] += poly[k - i];
            }
        }

        return poly;
    });

    /// <summary>Frequencies of the Wilcoxon signed-rank statistic W⁺ = 0..n(n+1)/2: the coefficients of ∏_{i=1..n} (1 + q^i).</summary>
    public static double[] SignedRank(int n) => SignedRankCache.GetOrAdd(n, count =>
    {
        var size = count * (count + 1) / 2 + 1;
        var poly = new double[size];
        poly[0] = 1;
        var top = 0;
        for (var i = 1; i <= count; i++)
        {
            top += i;
            for (var k = top; k >= i; k--)
            {
                poly[k] += poly[k - i];
            }
        }

        return poly;
    });

    /// <summary>P(S ≤ s) and P(S ≥ s) from a frequency table over 0..max.</summary>
    public static (double AtMost, double AtLeast) Tails(double[] frequencies, int s)
    {
        double total = 0, below = 0, above = 0;
        for (var k = 0; k < frequencies.Length; k++)
        {
            total += frequencies[k];
            if (k <= s)
            {
                below += frequencies[k];
            }

            if (k >= s)
            {
                above += frequencies[k];
            }
        }

        return (Math.Min(1, below / total), Math.Min(1, above / total));
    }

    /// <summary>
    /// The largest k ≥ 1 with 2·P(S ≤ k − 1) ≤ misrate — the rank of the bound of a distribution-free interval — and
    /// the misrate that k achieves. When even k = 1 exceeds the misrate (too few values), k = 1 and its misrate.
    /// </summary>
    public static (int K, double Misrate) BoundRank(double[] frequencies, double misrate)
    {
        var total = frequencies.Sum();
        var cumulative = 0.0;
        var k = 1;
        var achieved = 2 * frequencies[0] / total;
        for (var s = 0; s < frequencies.Length / 2; s++)
        {
            cumulative += frequencies[s];
            if (2 * cumulative / total > misrate)
            {
                break;
            }

            k = s + 1;
            achieved = 2 * cumulative / total;
        }

        return (k, Math.Min(1, achieved));
    }
}
