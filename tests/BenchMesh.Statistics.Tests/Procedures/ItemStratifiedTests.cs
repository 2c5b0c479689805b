using BenchMesh.Statistics.Procedures;
using MathNet.Numerics;

namespace BenchMesh.Statistics.Tests.Procedures;

/// <summary>
/// <see cref="ItemStratified.Exact"/> gives, bit for bit, what the plain convolution (every term of every sum added in
/// order) gives: items with a few attempts, and items pooled over a long history (thousands of attempts a side, where
/// most of the convolved law underflows to 0 and the skipped terms are all exactly 0), p-values in the middle and far in
/// a tail, lengths that are and are not a multiple of the vector width.
/// </summary>
public class ItemStratifiedTests
{
    public static TheoryData<int, int, int, double> Histories => new()
    {
        { 12, 3, 3, 0 }, { 30, 1, 2, 0.1 }, { 17, 400, 2_000, 0 }, { 40, 1_300, 2_600, 0.03 }, { 23, 777, 5_001, -0.2 },
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public void The_exact_test_equals_the_plain_convolution_bit_for_bit(int items, int candidateAttempts, int baselineAttempts, double drop)
    {
        var random = new Random(items * 7919 + candidateAttempts);
        var counts = Enumerable.Range(0, items).Select(_ =>
        {
            var p = 0.05 + 0.9 * random.NextDouble();
            var n1 = candidateAttempts + random.Next(3);
            var n0 = baselineAttempts + random.Next(3);
            return new ItemCounts(Successes(random, n1, Math.Clamp(p - drop, 0, 1)), n1, Successes(random, n0, p), n0);
        }).ToList();

        var expected = Plain(counts);
        var actual = ItemStratified.Exact(counts);

        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.PCandidateWorse), BitConverter.DoubleToInt64Bits(actual.PCandidateWorse));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.PCandidateBetter), BitConverter.DoubleToInt64Bits(actual.PCandidateBetter));
        Assert.Equal(expected, actual);
    }

    private static int Successes(Random random, int attempts, double p) => Enumerable.Range(0, attempts).Count(_ => random.NextDouble() < p);

    /// <summary>The test as it was first written: the law of the sum convolved term by term, nothing skipped but zeros of the left side.</summary>
    private static ItemStratifiedResult Plain(IReadOnlyList<ItemCounts> items)
    {
        var distribution = new double[] { 1 };
        var observed = 0;
        var informative = 0;
        var logFloor = 0.0;
        foreach (var (s1, n1, s0, n0) in items)
        {
            logFloor -= SpecialFunctions.BinomialLn(n1 + n0, n1);
            var total = s1 + s0;
            var low = Math.Max(0, total - n0);
            var high = Math.Min(total, n1);
            if (high == low)
            {
                continue;
            }

            informative++;
            observed += s1 - low;
            var logDenominator = SpecialFunctions.BinomialLn(n1 + n0, total);
            var law = new double[high - low + 1];
            for (var s = low; s <= high; s++)
            {
                law[s - low] = Math.Exp(SpecialFunctions.BinomialLn(n1, s) + SpecialFunctions.BinomialLn(n0, total - s) - logDenominator);
            }

            var result = new double[distribution.Length + law.Length - 1];
            for (var i = 0; i < distribution.Length; i++)
            {
                if (distribution[i] == 0)
                {
                    continue;
                }

                for (var j = 0; j < law.Length; j++)
                {
                    result[i + j] += distribution[i] * law[j];
                }
            }

            distribution = result;
        }

        if (informative == 0)
        {
            return new ItemStratifiedResult(1, 1, Math.Exp(logFloor), 0);
        }

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
}
