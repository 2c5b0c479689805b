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
    /// <summary>
    /// The exact conditional test on the b + c discordant pairs: under H₀ the candidate's losses b ~ Binomial(b + c, ½).
    /// PCandidateWorse = P(X ≥ b), PCandidateBetter = P(X ≥ c), two-sided = min(1, 2·min) (R's binom.test(b, b + c)).
    /// </summary>
    public static McNemarResult Exact(int baselineOnly, int candidateOnly)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baselineOnly);
        ArgumentOutOfRangeException.ThrowIfNegative(candidateOnly);
        var n = baselineOnly + candidateOnly;
        if (n == 0)
        {
            return new McNemarResult(0, 0, 1, 1, 1);
        }

        // P(X ≥ b) = P(X ≤ n − b) at p = ½: a lower tail, so that tiny p-values keep their precision.
        var worse = Math.Clamp(Binomial.CDF(0.5, n, n - baselineOnly), 0, 1);
        var better = Math.Clamp(Binomial.CDF(0.5, n, n - candidateOnly), 0, 1);
        return new McNemarResult(baselineOnly, candidateOnly, worse, better, Math.Min(1, 2 * Math.Min(worse, better)));
    }
}

/// <summary>Tests on paired differences dᵢ = candidateᵢ − baselineᵢ.</summary>
public static class PairedTests
{
    /// <summary>Above this many non-zero differences the sign-flip test samples instead of enumerating.</summary>
    public const int ExactSignFlipLimit = 20;

    /// <summary>Above this many non-zero differences <see cref="SignedRank"/> uses the normal approximation.</summary>
    public const int ExactSignedRankLimit = 50;

    /// <summary>The one-sample t-test of mean(d) = 0 on n ≥ 2 differences, n − 1 degrees of freedom; Estimate = mean(d).</summary>
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
    /// The sign-flip permutation test of the mean difference (zeros carry no sign and are dropped): exact over all 2^k
    /// sign patterns of the k non-zero differences when k ≤ <see cref="ExactSignFlipLimit"/> (counted by meeting in
    /// the middle: the sums of both halves' patterns, one half sorted, O(2^(k/2)·k)); otherwise
    /// <paramref name="permutations"/> random patterns from <c>new Random(seed)</c>, p = (1 + #{as extreme}) / (1 + B).
    /// A pattern is as extreme when its sum is within 10⁻¹²·Σ|dᵢ| of the observed one or beyond.
    /// </summary>
    public static (double PGreater, double PLess) SignFlip(ReadOnlySpan<double> differences, int permutations = 10_000, int seed = 12345)
    {
        var nonZero = NonZero(differences);
        if (nonZero.Length == 0)
        {
            return (1, 1);
        }

        var absolute = nonZero.Select(Math.Abs).ToArray();
        var observed = nonZero.Sum();
        var tolerance = 1e-12 * absolute.Sum();
        if (nonZero.Length <= ExactSignFlipLimit)
        {
            var half = nonZero.Length / 2;
            var low = PatternSums(absolute.AsSpan(0, half));
            var high = PatternSums(absolute.AsSpan(half));
            Array.Sort(high);
            long atLeast = 0, atMost = 0;
            foreach (var a in low)
            {
                atLeast += high.Length - FirstAtLeast(high, observed - tolerance - a);
                atMost += FirstAbove(high, observed + tolerance - a);
            }

            var total = (double)low.Length * high.Length;
            return (atLeast / total, atMost / total);
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permutations);
        var random = new Random(seed);
        long greater = 0, less = 0;
        for (var b = 0; b < permutations; b++)
        {
            var sum = 0.0;
            foreach (var d in absolute)
            {
                sum += random.Next(2) == 0 ? d : -d;
            }

            greater += sum >= observed - tolerance ? 1 : 0;
            less += sum <= observed + tolerance ? 1 : 0;
        }

        return ((1 + greater) / (1.0 + permutations), (1 + less) / (1.0 + permutations));
    }

    /// <summary>
    /// Wilcoxon's signed-rank test on the non-zero differences (zeros dropped, Wilcoxon's convention and R's), W⁺ the sum of
    /// the (mid-)ranks of |dᵢ| over positive dᵢ: exact for up to <see cref="ExactSignedRankLimit"/> non-zero differences
    /// (the signed-rank distribution, or with tied |dᵢ| the exact distribution over the doubled mid-ranks), beyond that
    /// the normal approximation with tie-corrected variance and a continuity correction of ½.
    /// </summary>
    public static (double PGreater, double PLess) SignedRank(ReadOnlySpan<double> differences)
    {
        var nonZero = NonZero(differences);
        var n = nonZero.Length;
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

        if (n <= ExactSignedRankLimit)
        {
            if (tieTerm == 0)
            {
                var (atMost, atLeast) = RankDistributions.Tails(RankDistributions.SignedRank(n), (int)Math.Round(wPlus));
                return (atLeast, atMost);
            }

            // Each doubled mid-rank joins W⁺ with probability ½: the subset-sum distribution ∏(1 + q^(2rᵢ)).
            var doubled = ranks.Select(r => (int)Math.Round(2 * r)).ToArray();
            var ways = new double[doubled.Sum() + 1];
            ways[0] = 1;
            var top = 0;
            foreach (var r in doubled)
            {
                top += r;
                for (var k = top; k >= r; k--)
                {
                    ways[k] += ways[k - r];
                }
            }

            var (less, greater) = RankDistributions.Tails(ways, (int)Math.Round(2 * wPlus));
            return (greater, less);
        }

        var mean = n * (n + 1) / 4.0;
        var sd = Math.Sqrt(n * (n + 1) * (2.0 * n + 1) / 24 - tieTerm / 48);
        return (
            Math.Clamp(Normal.CDF(0, 1, -(wPlus - mean - 0.5) / sd), 0, 1),
            Math.Clamp(Normal.CDF(0, 1, (wPlus - mean + 0.5) / sd), 0, 1));
    }

    private static double[] NonZero(ReadOnlySpan<double> differences)
    {
        var nonZero = new List<double>(differences.Length);
        foreach (var d in differences)
        {
            if (d != 0)
            {
                nonZero.Add(d);
            }
        }

        return [.. nonZero];
    }

    /// <summary>The sums ±v₁ ± v₂ … of all 2^k sign patterns.</summary>
    private static double[] PatternSums(ReadOnlySpan<double> values)
    {
        var sums = new double[1 << values.Length];
        var count = 1;
        foreach (var v in values)
        {
            for (var i = 0; i < count; i++)
            {
                sums[count + i] = sums[i] - v;
                sums[i] += v;
            }

            count *= 2;
        }

        return sums;
    }

    /// <summary>The index of the first element ≥ value in an ascending array (its length when there is none).</summary>
    private static int FirstAtLeast(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The index of the first element &gt; value in an ascending array: the count of elements ≤ value.</summary>
    private static int FirstAbove(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>Benjamini-Hochberg control of the false-discovery rate (Benjamini &amp; Hochberg 1995).</summary>
public static class BenjaminiHochberg
{
    /// <summary>
    /// BH-adjusted p-values (q-values) in input order: q₍ᵢ₎ = min over j ≥ i of p₍ⱼ₎·m/j, capped at 1 (R's
    /// p.adjust(method = "BH")); rejecting every q ≤ q* is the step-up procedure at FDR q*.
    /// </summary>
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

    /// <summary>
    /// Which tests belong in the family at FDR <paramref name="q"/>: those whose smallest attainable p-value (their
    /// <paramref name="floors"/>) is at most q. A discrete test that cannot go below q is never rejected by the step-up
    /// procedure, at any rank, so leaving it out changes no decision of its own, and the others are adjusted over the
    /// tests that can be rejected: an all-tied cell (every error rate 0 on both sides: its floor is 1) no longer dilutes
    /// the family. This is Tarone's (1990) pruning of untestable hypotheses at its coarsest, which keeps BH's control of
    /// the FDR (Gilbert 2005) and, unlike Tarone's full index, never rejects less than BH over every test.
    /// </summary>
    public static bool[] Testable(ReadOnlySpan<double> floors, double q)
    {
        // Floors computed in logs (1/C(6, 3) = exp(−ln 20)) land a rounding error above an exact q: tolerate it.
        var limit = q * (1 + 1e-9);
        var testable = new bool[floors.Length];
        for (var i = 0; i < floors.Length; i++)
        {
            testable[i] = floors[i] <= limit;
        }

        return testable;
    }

    /// <summary>The critical value of rank i (1-based) among m tests at FDR q: i·q/m.</summary>
    public static double CriticalValue(int rank, int count, double q) => rank * q / count;
}

/// <summary>
/// Minimum detectable effects for one-sided tests at a given power, from normal quantiles (no t-quantile refinement:
/// with few runs the true MDE is larger, by the factor t₁₋α,ν/z₁₋α and so on; the rank tests' own efficiency is the
/// caller's to apply, e.g. √(3/π) for Mann-Whitney under normality).
/// </summary>
public static class Power
{
    /// <summary>(z₁₋α + z_power)·σ·√(1/n + 1/m): the smallest shift a one-sided test at α detects with the given power.</summary>
    public static double MinimumDetectableShift(double sigma, int n, int m, double alpha = 0.05, double power = 0.8) =>
        (Normal.InvCDF(0, 1, 1 - alpha) + Normal.InvCDF(0, 1, power)) * sigma * Math.Sqrt(1.0 / n + 1.0 / m);

    /// <summary>(z₁₋α + z_power)·sd/√N for a paired test on N items whose differences have standard deviation sd.</summary>
    public static double MinimumDetectablePairedShift(double sdOfDifferences, int items, double alpha = 0.05, double power = 0.8) =>
        (Normal.InvCDF(0, 1, 1 - alpha) + Normal.InvCDF(0, 1, power)) * sdOfDifferences / Math.Sqrt(items);
}
