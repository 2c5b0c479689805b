using BenchMesh.Statistics.Procedures;

namespace BenchMesh.Statistics.Tests.Procedures;

/// <summary>
/// Selection without building the pairs gives, at every rank, the value sorting them gives: differences with the
/// shorter sample on either side, Walsh averages, ties (values on a coarse grid), negative and repeated values.
/// </summary>
public class PairwiseOrderStatisticsTests
{
    public static TheoryData<int, int, bool> Sizes => new()
    {
        { 70, 90, false }, { 90, 70, false }, { 3, 2_000, false }, { 2_000, 3, false }, { 120, 130, true }, { 1, 5_000, true },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_rank_of_the_differences_is_the_sorted_difference_at_that_rank(int n, int m, bool ties)
    {
        var random = new Random(n * 31 + m);
        var x = Sample(random, n, ties, shift: 3);
        var y = Sample(random, m, ties, shift: 0);
        var sorted = x.SelectMany(a => y.Select(b => a - b)).Order().ToArray();

        var pairs = PairwiseOrderStatistics.Differences(x.Order().ToArray(), y.Order().ToArray());

        Assert.Equal(sorted.Length, pairs.Count);
        foreach (var k in Ranks(sorted.Length))
        {
            Assert.Equal(sorted[k - 1], pairs.Select(k));
        }
    }

    [Theory]
    [InlineData(150, false)]
    [InlineData(151, true)]
    [InlineData(400, true)]
    public void Every_rank_of_the_Walsh_averages_is_the_sorted_average_at_that_rank(int n, bool ties)
    {
        var d = Sample(new Random(n), n, ties, shift: -1).Order().ToArray();
        var sorted = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(i, n - i).Select(j => (d[i] + d[j]) / 2)).Order().ToArray();

        var pairs = PairwiseOrderStatistics.WalshAverages(d);

        Assert.Equal(sorted.Length, pairs.Count);
        foreach (var k in Ranks(sorted.Length))
        {
            Assert.Equal(sorted[k - 1], pairs.Select(k));
        }
    }

    [Fact]
    public void A_rank_outside_the_pairs_is_refused()
    {
        var pairs = PairwiseOrderStatistics.Differences([1, 2], [0]);

        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.Select(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.Select(3));
    }

    [Fact]
    public void Hodges_Lehmann_above_the_sort_limit_gives_the_sorted_median_and_mirrored_bounds()
    {
        var random = new Random(7);
        var x = Sample(random, 100, ties: true, shift: 2);
        var y = Sample(random, 110, ties: true, shift: 0);
        var differences = x.SelectMany(a => y.Select(b => a - b)).Order().ToArray();
        Assert.True(differences.Length > HodgesLehmann.SortLimit);

        var shift = HodgesLehmann.Shift(x, y, misrate: 0.05);

        Assert.Equal(Median(differences), shift.Estimate);
        AssertMirrored(differences, shift);

        var centre = HodgesLehmann.Center(x, misrate: 0.05);
        var ordered = x.Order().ToArray();
        var walsh = Enumerable.Range(0, ordered.Length).SelectMany(i => Enumerable.Range(i, ordered.Length - i).Select(j => (ordered[i] + ordered[j]) / 2)).Order().ToArray();
        Assert.True(walsh.Length > HodgesLehmann.SortLimit);
        Assert.Equal(Median(walsh), centre.Estimate);
        AssertMirrored(walsh, centre);
    }

    /// <summary>Lower is the k-th smallest and Upper the k-th largest for one k (ties may hold several such ranks).</summary>
    private static void AssertMirrored(double[] sorted, ShiftEstimate estimate)
    {
        var ranks = Enumerable.Range(1, sorted.Length / 2).Where(k => sorted[k - 1] == estimate.Lower && sorted[^k] == estimate.Upper);
        Assert.NotEmpty(ranks);
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>Log-normal-ish values; with ties, on a 0.5 grid so that many pairs are equal.</summary>
    private static double[] Sample(Random random, int n, bool ties, double shift) => Enumerable.Range(0, n).Select(_ =>
    {
        var value = shift + Math.Exp(0.5 * (random.NextDouble() + random.NextDouble() - 1)) * 10 - 10;
        return ties ? Math.Round(value * 2) / 2 : value;
    }).ToArray();

    /// <summary>Every rank for small sets; otherwise the ends, the middle and 200 spread between.</summary>
    private static IEnumerable<long> Ranks(int count) => count <= 20_000
        ? Enumerable.Range(1, count).Select(k => (long)k)
        : new long[] { 1, 2, count / 2, count / 2 + 1, count - 1, count }.Concat(Enumerable.Range(1, 200).Select(i => (long)i * count / 201));
}
