using BenchMesh.Statistics.Procedures;

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

        var expected = ItemStratified.Exact(counts, PlainConvolve);
        var actual = ItemStratified.Exact(counts);

        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.PCandidateWorse), BitConverter.DoubleToInt64Bits(actual.PCandidateWorse));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.PCandidateBetter), BitConverter.DoubleToInt64Bits(actual.PCandidateBetter));
        Assert.Equal(expected, actual);
    }

    private static int Successes(Random random, int attempts, double p) => Enumerable.Range(0, attempts).Count(_ => random.NextDouble() < p);

    /// <summary>The convolution as it was first written: every term added in order, nothing skipped but zeros of the left side.</summary>
    private static double[] PlainConvolve(double[] a, double[] b)
    {
        var result = new double[a.Length + b.Length - 1];
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] == 0)
            {
                continue;
            }

            for (var j = 0; j < b.Length; j++)
            {
                result[i + j] += a[i] * b[j];
            }
        }

        return result;
    }
}
