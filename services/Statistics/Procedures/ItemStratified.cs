using System.Numerics;
using System.Runtime.InteropServices;
using MathNet.Numerics;

namespace BenchMesh.Statistics.Procedures;

/// <summary>One item's attempts on both sides: successes and attempts of the candidate and of the baseline.</summary>
public readonly record struct ItemCounts(int CandidateSuccesses, int CandidateAttempts, int BaselineSuccesses, int BaselineAttempts);

/// <summary>
/// The exact item-stratified test's answer: <see cref="PCandidateWorse"/> = P(T ≤ t), <see cref="PCandidateBetter"/> =
/// P(T ≥ t) for T the candidate's successes summed over items, <see cref="Floor"/> the smallest one-sided p-value the
/// test can reach with these attempts (every item right on one side only, all wrong on the other); <see cref="Informative"/> the items whose outcome differs somewhere (the others carry no evidence).
/// </summary>
public sealed record ItemStratifiedResult(double PCandidateWorse, double PCandidateBetter, double Floor, int Informative);

/// <summary>
/// The exact conditional test of "same success chance on both sides, item by item" (the exact Mantel-Haenszel or
/// Zelen test for a common odds ratio of 1 across 2 × 2 tables): the items are held fixed — a benchmark's items are the
/// benchmark — and only the attempts are random. Given each item's total successes, the candidate's successes on it are
/// hypergeometric under H₀; their sum T over items has the convolution of those laws, computed exactly. With one attempt
/// per item on each side it is the exact McNemar test; with several, an item that passed every attempt before and fails
/// every attempt now is strong evidence, which a paired t on per-item fractions (items as a sample of a population)
/// spreads over the items that did not move.
/// </summary>
public static class ItemStratified
{
    public static ItemStratifiedResult Exact(IReadOnlyList<ItemCounts> items) => Exact(items, Convolve);

    /// <summary>The test with the convolution given (for tests: the plain double loop, to show <see cref="Convolve"/> equal to it).</summary>
    internal static ItemStratifiedResult Exact(IReadOnlyList<ItemCounts> items, Func<double[], double[], double[]> convolve)
    {
        ArgumentNullException.ThrowIfNull(items);
        var distribution = new double[] { 1 };
        var observed = 0;
        var informative = 0;
        var logFloor = 0.0;
        foreach (var item in items)
        {
            var (s1, n1, s0, n0) = (item.CandidateSuccesses, item.CandidateAttempts, item.BaselineSuccesses, item.BaselineAttempts);
            if (n1 < 0 || n0 < 0 || s1 < 0 || s0 < 0 || s1 > n1 || s0 > n0)
            {
                throw new ArgumentException("Successes must lie between 0 and the attempts.", nameof(items));
            }

            logFloor -= SpecialFunctions.BinomialLn(n1 + n0, n1);

            var total = s1 + s0;
            var attempts = n1 + n0;
            var low = Math.Max(0, total - n0);
            var high = Math.Min(total, n1);
            if (high == low)
            {
                continue; // every attempt on both sides alike (or one side absent): the item's count is fixed by its margins
            }

            informative++;
            observed += s1 - low;
            // Hypergeometric probabilities of s = low..high candidate successes among the item's total successes.
            var logDenominator = SpecialFunctions.BinomialLn(attempts, total);
            var law = new double[high - low + 1];
            for (var s = low; s <= high; s++)
            {
                law[s - low] = Math.Exp(SpecialFunctions.BinomialLn(n1, s) + SpecialFunctions.BinomialLn(n0, total - s) - logDenominator);
            }

            distribution = convolve(distribution, law);
        }

        if (informative == 0)
        {
            return new ItemStratifiedResult(1, 1, Math.Exp(logFloor), 0);
        }

        // Tails summed from their far end, so that tiny p-values keep their precision.
        var lower = 0.0;
        for (var t = 0; t <= observed; t++)
        {
            lower += distribution[t];
        }

        var upper = 0.0;
        for (var t = distribution.Length - 1; t >= observed; t--)
        {
            upper += distribution[t];
        }

        return new ItemStratifiedResult(Math.Min(1, lower), Math.Min(1, upper), Math.Exp(logFloor), informative);
    }

    /// <summary>
    /// The law of the sum: result[t] = Σᵢ a[i]·b[t − i], each term added in order of i as the plain double loop adds it.
    /// Only terms that are exactly 0 are left out, which leaves every sum bit for bit as it was: a[i]·b[j] is 0 for every j
    /// when a[i]·max(b) is (IEEE multiplication is monotone), and 0 is what underflow leaves in the far tails once the
    /// items' attempts number in the thousands (a long history's pooled baseline), where most of the distribution is 0.
    /// </summary>
    private static double[] Convolve(double[] a, double[] b)
    {
        var result = new double[a.Length + b.Length - 1];
        var largest = 0.0;
        foreach (var value in b)
        {
            largest = Math.Max(largest, value);
        }

        for (var i = 0; i < a.Length; i++)
        {
            var ai = a[i];
            if (ai * largest == 0)
            {
                continue;
            }

            // Vector lanes do each element's multiply and add exactly as the scalar loop does (no fused multiply-add).
            var row = result.AsSpan(i, b.Length);
            var rowVectors = MemoryMarshal.Cast<double, Vector<double>>(row);
            var lawVectors = MemoryMarshal.Cast<double, Vector<double>>(b.AsSpan());
            var scale = new Vector<double>(ai);
            for (var v = 0; v < rowVectors.Length; v++)
            {
                rowVectors[v] += scale * lawVectors[v];
            }

            for (var j = rowVectors.Length * Vector<double>.Count; j < b.Length; j++)
            {
                row[j] += ai * b[j];
            }
        }

        return result;
    }
}
