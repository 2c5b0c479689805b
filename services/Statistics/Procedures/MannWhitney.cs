using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace BenchMesh.Statistics.Procedures;

/// <summary>
/// The Mann-Whitney U test. x is the candidate, y the baseline; "greater" means x tends to be larger than y.
/// <see cref="MinimumOneSidedP"/> is the smallest one-sided p-value attainable at these sizes: 1/C(n+m, n) without
/// ties; with ties and the exact distribution, the probability of the least likely extreme of the tied rank-sum
/// distribution (never below 1/C(n+m, n)). A cell whose floor is above the level it must reach cannot pass,
/// whatever the data. <see cref="Exact"/> says whether the p-values come from the exact null distribution.
/// </summary>
public sealed record MannWhitneyResult(double U, double PGreater, double PLess, double PTwoSided, bool Exact, double MinimumOneSidedP);

/// <summary>
/// Mann-Whitney U with U = #{xᵢ &gt; yⱼ} + ½·#{xᵢ = yⱼ} (R's W for wilcox.test(x, y)). Without ties the null
/// distribution is exact up to <see cref="ExactLimit"/> values in all (the Gaussian-binomial coefficients, cached per
/// (n, m)); with ties it is exact over the observed mid-ranks (a subset-sum DP on doubled rank sums, the permutation
/// distribution of coin's exact test) up to <see cref="ExactTiesLimit"/> values; beyond, the normal approximation with
/// the tie-corrected variance and a continuity correction of ½ (what R's wilcox.test(exact = FALSE, correct = TRUE)
/// computes). Two-sided p = min(1, 2·min(one-sided)).
/// </summary>
public static class MannWhitney
{
    /// <summary>Without ties, n + m up to this uses the exact distribution.</summary>
    public const int ExactLimit = 60;

    /// <summary>With ties, n + m up to this uses the exact distribution over mid-ranks (the DP costs O(n·(n+m)²·n)).</summary>
    public const int ExactTiesLimit = 30;

    /// <summary>The test of x (candidate) against y (baseline); both need at least one value.</summary>
    public static MannWhitneyResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = x.Length;
        var m = y.Length;
        if (n == 0 || m == 0)
        {
            throw new ArgumentException("Both samples need at least one value.");
        }

        var (ranks, tieTerm) = MidRanks(x, y);
        var rankSumX = 0.0;
        for (var i = 0; i < n; i++)
        {
            rankSumX += ranks[i];
        }

        var u = rankSumX - n * (n + 1) / 2.0;
        var total = n + m;
        var floor = Math.Exp(-SpecialFunctions.BinomialLn(total, n));
        if (tieTerm == 0 && total <= ExactLimit)
        {
            var (atMost, atLeast) = RankDistributions.Tails(RankDistributions.MannWhitney(n, m), (int)Math.Round(u));
            return new MannWhitneyResult(u, atLeast, atMost, Math.Min(1, 2 * Math.Min(atMost, atLeast)), true, floor);
        }

        if (tieTerm > 0 && total <= ExactTiesLimit)
        {
            return ExactWithTies(ranks, n, u, floor);
        }

        var mean = n * (double)m / 2;
        var variance = n * (double)m / 12 * (total + 1 - tieTerm / (total * (double)(total - 1)));
        if (variance <= 0)
        {
            // Every value is equal: no evidence either way.
            return new MannWhitneyResult(u, 1, 1, 1, false, floor);
        }

        var sd = Math.Sqrt(variance);
        // Upper tail as Φ(−z) so that small p-values keep their precision.
        var pGreater = Math.Clamp(Normal.CDF(0, 1, -(u - mean - 0.5) / sd), 0, 1);
        var pLess = Math.Clamp(Normal.CDF(0, 1, (u - mean + 0.5) / sd), 0, 1);
        return new MannWhitneyResult(u, pGreater, pLess, Math.Min(1, 2 * Math.Min(pGreater, pLess)), false, floor);
    }

    /// <summary>Mid-ranks (1-based) of x then y in the pooled sample, and Σ(t³ − t) over tie groups.</summary>
    internal static (double[] Ranks, double TieTerm) MidRanks(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var total = x.Length + y.Length;
        var values = new double[total];
        x.CopyTo(values);
        y.CopyTo(values.AsSpan(x.Length));
        var order = Enumerable.Range(0, total).ToArray();
        Array.Sort(values.ToArray(), order);
        var ranks = new double[total];
        var tieTerm = 0.0;
        var i = 0;
        while (i < total)
        {
            var j = i;
            while (j + 1 < total && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }

            var rank = (i + j + 2) / 2.0;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }

            var t = j - i + 1;
            tieTerm += (double)t * t * t - t;
            i = j + 1;
        }

        return (ranks, tieTerm);
    }

    /// <summary>The exact permutation distribution of the rank sum over mid-ranks (doubled, so they are integers).</summary>
    private static MannWhitneyResult ExactWithTies(double[] ranks, int n, double u, double floor)
    {
        var doubled = ranks.Select(r => (int)Math.Round(2 * r)).ToArray();
        Array.Sort(doubled);
        var maxSum = doubled[(doubled.Length - n)..].Sum();
        // ways[k·width + s]: subsets of k of the values seen so far with doubled rank sum s; after j values, k ≤ j and
        // s ≤ the total of those j values.
        var width = maxSum + 1;
        var ways = new double[(n + 1) * width];
        ways[0] = 1;
        var seen = 0;
        var reach = 0;
        foreach (var value in doubled)
        {
            seen++;
            reach = Math.Min(maxSum, reach + value);
            for (var k = Math.Min(n, seen); k >= 1; k--)
            {
                var row = k * width;
                var below = row - width - value;
                for (var s = reach; s >= value; s--)
                {
                    ways[row + s] += ways[below + s];
                }
            }
        }

        var observed = (int)Math.Round(2 * (u + n * (n + 1) / 2.0));
        double total = 0, atMost = 0, atLeast = 0, lowest = 0, highest = 0;
        for (var s = 0; s <= maxSum; s++)
        {
            var w = ways[n * width + s];
            if (w == 0)
            {
                continue;
            }

            lowest = lowest == 0 ? w : lowest;
            highest = w;
            total += w;
            if (s <= observed)
            {
                atMost += w;
            }

            if (s >= observed)
            {
                atLeast += w;
            }
        }

        var pGreater = Math.Min(1, atLeast / total);
        var pLess = Math.Min(1, atMost / total);
        // With ties the extremes of the rank sum can be shared by several splits: the floor is their probability.
        var tiedFloor = Math.Max(floor, Math.Min(lowest, highest) / total);
        return new MannWhitneyResult(u, pGreater, pLess, Math.Min(1, 2 * Math.Min(pGreater, pLess)), true, tiedFloor);
    }
}
