using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace BenchMesh.Statistics.Procedures;

/// <summary>
/// The Mann-Whitney U test. x is the candidate, y the baseline; "greater" means x tends to be larger than y.
/// <see cref="MinimumOneSidedP"/> is the smallest one-sided p-value attainable at these sizes (1/C(n+m, n) without
/// ties): a cell whose floor is above the level it must reach cannot pass, whatever the data.
/// </summary>
public sealed record MannWhitneyResult(double U, double PGreater, double PLess, double PTwoSided, bool Exact, double MinimumOneSidedP);

/// <summary>
/// Mann-Whitney U with U = #{xᵢ &gt; yⱼ} + ½·#{xᵢ = yⱼ}. Exact null distribution without ties (any size up to
/// <see cref="ExactLimit"/> values in all; Gaussian-binomial coefficients, cached per size), exact over mid-ranks
/// with ties up to <see cref="ExactTiesLimit"/> values, the normal approximation with tie and continuity correction beyond.
/// </summary>
public static class MannWhitney
{
    public const int ExactLimit = 60;
    public const int ExactTiesLimit = 30;

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
        var pGreater = 1 - Normal.CDF(0, 1, (u - mean - 0.5) / sd);
        var pLess = Normal.CDF(0, 1, (u - mean + 0.5) / sd);
        pGreater = Math.Clamp(pGreater, 0, 1);
        pLess = Math.Clamp(pLess, 0, 1);
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
        var maxSum = doubled.OrderDescending().Take(n).Sum();
        // ways[k][s]: subsets of k values with doubled rank sum s.
        var ways = new double[n + 1, maxSum + 1];
        ways[0, 0] = 1;
        foreach (var value in doubled)
        {
            for (var k = n; k >= 1; k--)
            {
                for (var s = maxSum; s >= value; s--)
                {
                    ways[k, s] += ways[k - 1, s - value];
                }
            }
        }

        var observed = (int)Math.Round(2 * (u + n * (n + 1) / 2.0));
        double total = 0, atMost = 0, atLeast = 0;
        for (var s = 0; s <= maxSum; s++)
        {
            var w = ways[n, s];
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
        return new MannWhitneyResult(u, pGreater, pLess, Math.Min(1, 2 * Math.Min(pGreater, pLess)), true, floor);
    }
}
