using MathNet.Numerics.Distributions;

namespace BenchMesh.Statistics.Procedures;

/// <summary>
/// Exact McNemar test on the discordant pairs. <see cref="BaselineOnly"/>: items right on the baseline and wrong on
/// the candidate; <see cref="CandidateOnly"/>: the reverse.
/// </summary>
public sealed record McNemarResult(int BaselineOnly, int CandidateOnly, double PCandidateWorse, double PCandidateBetter, double PTwoSided);

/// <summary>The exact (binomial, p = ½) McNemar test.</summary>
public static class McNemar
{
    public static McNemarResult Exact(int baselineOnly, int candidateOnly)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baselineOnly);
        ArgumentOutOfRangeException.ThrowIfNegative(candidateOnly);
        var n = baselineOnly + candidateOnly;
        if (n == 0)
        {
            return new McNemarResult(0, 0, 1, 1, 1);
        }

        // P(X ≥ b) for X ~ Binomial(n, ½): the candidate lost at least this many items more often than chance.
        var worse = baselineOnly == 0 ? 1 : 1 - Binomial.CDF(0.5, n, baselineOnly - 1);
        var better = candidateOnly == 0 ? 1 : 1 - Binomial.CDF(0.5, n, candidateOnly - 1);
        worse = Math.Clamp(worse, 0, 1);
        better = Math.Clamp(better, 0, 1);
        return new McNemarResult(baselineOnly, candidateOnly, worse, better, Math.Min(1, 2 * Math.Min(worse, better)));
    }
}

/// <summary>Tests on paired differences dᵢ = candidateᵢ − baselineᵢ.</summary>
public static class PairedTests
{
    /// <summary>Above this many non-zero differences the sign-flip test samples instead of enumerating.</summary>
    public const int ExactSignFlipLimit = 20;

    public static TTestResult PairedT(ReadOnlySpan<double> differences)
    {
        if (differences.Length < 2)
        {
            throw new ArgumentException("A paired t-test needs at least two pairs.");
        }

        var (mean, variance) = Welch.Moments(differences);
        return TTestResult.Of(mean, Math.Sqrt(variance / differences.Length), differences.Length - 1);
    }

    /// <summary>
    /// The sign-flip permutation test of the mean difference: exact over all 2^k sign patterns of the k non-zero
    /// differences when k ≤ <see cref="ExactSignFlipLimit"/>, otherwise <paramref name="permutations"/> random patterns
    /// from a seeded generator, p = (1 + #{as extreme}) / (1 + B).
    /// </summary>
    public static (double PGreater, double PLess) SignFlip(ReadOnlySpan<double> differences, int permutations = 10_000, int seed = 12345)
    {
        var nonZero = new List<double>();
        foreach (var d in differences)
        {
            if (d != 0)
            {
                nonZero.Add(d);
            }
        }

        if (nonZero.Count == 0)
        {
            return (1, 1);
        }

        var observed = nonZero.Sum();
        var tolerance = 1e-12 * nonZero.Sum(Math.Abs);
        long atLeast = 0, atMost = 0, total = 0;
        if (nonZero.Count <= ExactSignFlipLimit)
        {
            var patterns = 1L << nonZero.Count;
            for (long pattern = 0; pattern < patterns; pattern++)
            {
                var sum = 0.0;
                for (var i = 0; i < nonZero.Count; i++)
                {
                    sum += (pattern & (1L << i)) != 0 ? -Math.Abs(nonZero[i]) : Math.Abs(nonZero[i]);
                }

                Count(sum);
            }

            return (atLeast / (double)total, atMost / (double)total);
        }

        var random = new Random(seed);
        for (var b = 0; b < permutations; b++)
        {
            var sum = 0.0;
            foreach (var d in nonZero)
            {
                sum += random.Next(2) == 0 ? Math.Abs(d) : -Math.Abs(d);
            }

            Count(sum);
        }

        return ((1 + atLeast) / (1.0 + permutations), (1 + atMost) / (1.0 + permutations));

        void Count(double sum)
        {
            total++;
            if (sum >= observed - tolerance)
            {
                atLeast++;
            }

            if (sum <= observed + tolerance)
            {
                atMost++;
            }
        }
    }

    /// <summary>Wilcoxon's signed-rank test (zeros dropped): exact up to 50 pairs without ties, normal approximation beyond.</summary>
    public static (double PGreater, double PLess) SignedRank(ReadOnlySpan<double> differences)
    {
        var nonZero = new List<double>();
        foreach (var d in differences)
        {
            if (d != 0)
            {
                nonZero.Add(d);
            }
        }

        var n = nonZero.Count;
        if (n == 0)
        {
            return (1, 1);
        }

        var absolute = nonZero.Select(Math.Abs).ToArray();
        var (ranks, tieTerm) = MannWhitney.MidRanks(absolute, []);
        var wPlus = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (nonZero[i] > 0)
            {
                wPlus += ranks[i];
            }
        }

        if (tieTerm == 0 && n <= 50)
        {
            var (atMost, atLeast) = RankDistributions.Tails(RankDistributions.SignedRank(n), (int)Math.Round(wPlus));
            return (atLeast, atMost);
        }

        var mean = n * (n + 1) / 4.0;
        var sd = Math.Sqrt(n * (n + 1) * (2.0 * n + 1) / 24 - tieTerm / 48);
        return (
            Math.Clamp(1 - Normal.CDF(0, 1, (wPlus - mean - 0.5) / sd), 0, 1),
            Math.Clamp(Normal.CDF(0, 1, (wPlus - mean + 0.5) / sd), 0, 1));
    }
}

/// <summary>Benjamini-Hochberg control of the false-discovery rate (Benjamini &amp; Hochberg 1995).</summary>
public static class BenjaminiHochberg
{
    /// <summary>BH-adjusted p-values (q-values) in input order: q₍ᵢ₎ = min over j ≥ i of p₍ⱼ₎·m/j, capped at 1.</summary>
    public static double[] Adjust(ReadOnlySpan<double> pValues)
    {
        var m = pValues.Length;
        var adjusted = new double[m];
        if (m == 0)
        {
            return adjusted;
        }

        var values = pValues.ToArray();
        var order = Enumerable.Range(0, m).OrderBy(i => values[i]).ToArray();
        var running = 1.0;
        for (var rank = m; rank >= 1; rank--)
        {
            var index = order[rank - 1];
            running = Math.Min(running, values[index] * m / rank);
            adjusted[index] = Math.Min(1, running);
        }

        return adjusted;
    }

    /// <summary>The critical value of rank i (1-based) among m tests at FDR q: i·q/m.</summary>
    public static double CriticalValue(int rank, int count, double q) => rank * q / count;
}

/// <summary>Minimum detectable effects for one-sided tests at a given power.</summary>
public static class Power
{
    /// <summary>(z₁₋α + z_power)·σ·√(1/n + 1/m): the smallest shift a one-sided test at α detects with the given power.</summary>
    public static double MinimumDetectableShift(double sigma, int n, int m, double alpha = 0.05, double power = 0.8) =>
        (Normal.InvCDF(0, 1, 1 - alpha) + Normal.InvCDF(0, 1, power)) * sigma * Math.Sqrt(1.0 / n + 1.0 / m);

    /// <summary>(z₁₋α + z_power)·sd/√N for a paired test on N items whose differences have standard deviation sd.</summary>
    public static double MinimumDetectablePairedShift(double sdOfDifferences, int items, double alpha = 0.05, double power = 0.8) =>
        (Normal.InvCDF(0, 1, 1 - alpha) + Normal.InvCDF(0, 1, power)) * sdOfDifferences / Math.Sqrt(items);
}
