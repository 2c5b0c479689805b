using BenchMesh.Statistics.Procedures;

namespace BenchMesh.Statistics.Tests.Procedures;

public class MannWhitneyTests
{
    [Fact]
    public void Five_against_five_all_greater_reaches_exactly_the_floor_of_one_in_252()
    {
        var result = MannWhitney.Test([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);

        Assert.True(result.Exact);
        Assert.Equal(25, result.U);
        Assert.Equal(1.0 / 252, result.PGreater, 12);
        Assert.Equal(1.0, result.PLess, 12);
        Assert.Equal(1.0 / 252, result.MinimumOneSidedP, 12);
    }

    [Fact]
    public void Matches_R_on_the_permeability_example()
    {
        // R, ?wilcox.test (Hollander & Wolfe, p. 110): wilcox.test(x, y, alternative = "greater") → W = 35, p = 0.1272.
        double[] x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
        double[] y = [1.15, 0.88, 0.90, 0.74, 1.21];

        var result = MannWhitney.Test(x, y);

        Assert.Equal(35, result.U);
        Assert.Equal(0.1272, result.PGreater, 4);
    }

    [Fact]
    public void With_ties_the_exact_mid_rank_distribution_agrees_with_the_normal_approximation_in_the_middle()
    {
        double[] x = [1, 2, 2, 3, 3, 3, 4, 5];
        double[] y = [2, 3, 3, 4, 4, 5, 5, 6];

        var exact = MannWhitney.Test(x, y);
        var approximate = MannWhitney.Test([.. x, .. x, .. x, .. x], [.. y, .. y, .. y, .. y]);

        Assert.True(exact.Exact);
        Assert.False(approximate.Exact);
        Assert.InRange(exact.PLess, 0.02, 0.2);
        Assert.True(approximate.PLess < exact.PLess); // four times the data, the same shift: stronger evidence
        Assert.Equal(exact.PGreater + exact.PLess, 1 + Probability(x, y), 6);
    }

    /// <summary>P(U = u_obs) under the exact null, from the two tails: P(≥ u) + P(≤ u) − 1.</summary>
    private static double Probability(double[] x, double[] y)
    {
        var r = MannWhitney.Test(x, y);
        return r.PGreater + r.PLess - 1;
    }

    [Fact]
    public void Three_against_three_cannot_go_below_one_in_twenty() =>
        Assert.Equal(0.05, MannWhitney.Test([4, 5, 6], [1, 2, 3]).MinimumOneSidedP, 12);
}

public class HodgesLehmannTests
{
    [Fact]
    public void Matches_R_on_the_permeability_example()
    {
        // R: wilcox.test(x, y, conf.int = TRUE) → difference in location 0.305. The one-sided 95 % bound (the two-sided
        // 90 % interval's lower end) is the 12th smallest of the 50 differences, −0.08: P(U ≤ 11) = 0.0496 ≤ 0.05 <
        // P(U ≤ 12), checked by enumerating all C(15, 10) rank assignments.
        double[] x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
        double[] y = [1.15, 0.88, 0.90, 0.74, 1.21];

        var shift = HodgesLehmann.Shift(x, y, misrate: 0.10);

        Assert.Equal(0.305, shift.Estimate, 9);
        Assert.Equal(-0.08, shift.Lower, 9);
        Assert.True(shift.Misrate <= 0.10);
    }

    [Fact]
    public void Below_the_attainable_misrate_the_bounds_are_the_extremes()
    {
        // 3 vs 3: the floor is 2/C(6, 3) = 0.1, so a 95 % interval is impossible.
        var shift = HodgesLehmann.Shift([4, 5, 6], [1, 2, 3], misrate: 0.05);

        Assert.Equal(3, shift.Estimate);
        Assert.Equal(1, shift.Lower);
        Assert.Equal(5, shift.Upper);
        Assert.Equal(0.1, shift.Misrate, 12);
    }

    [Fact]
    public void The_one_sample_centre_is_the_median_of_the_Walsh_averages()
    {
        // Walsh averages of [1, 2, 9]: 1, 1.5, 5, 2, 5.5, 9 → median (2 + 5) / 2 = 3.5.
        var centre = HodgesLehmann.Center([1, 2, 9], misrate: 0.5);

        Assert.Equal(3.5, centre.Estimate, 12);
        Assert.True(centre.Lower <= centre.Estimate && centre.Estimate <= centre.Upper);
    }
}

public class TTestTests
{
    [Fact]
    public void Welch_matches_the_unequal_variance_reference_example()
    {
        // Welch's t-test article, example 1: t = −2.46, df = 24.99, p = 0.021.
        double[] a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
        double[] b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

        var result = Welch.Test(a, b);

        Assert.Equal(-2.4554, result.T, 4);
        Assert.InRange(result.DegreesOfFreedom, 24.988, 24.989);
        Assert.Equal(0.02138, result.PTwoSided, 4);
        Assert.Equal(result.PTwoSided / 2, result.PLess, 12);
    }

    [Fact]
    public void Paired_t_matches_R()
    {
        // R: t.test(c(1, 2, 3, 4, 5)) → t = 4.2426, df = 4, p-value = 0.01324.
        var result = PairedTests.PairedT([1, 2, 3, 4, 5]);

        Assert.Equal(4.2426, result.T, 4);
        Assert.Equal(4, result.DegreesOfFreedom);
        Assert.Equal(0.01324, result.PTwoSided, 5);
    }
}

public class PairedAndCountTests
{
    [Fact]
    public void McNemar_exact_is_the_binomial_test_on_discordant_pairs()
    {
        // 8 items lost, 2 gained: two-sided exact p = 2·P(X ≥ 8 | n = 10, ½) = 2·56/1024 (R: binom.test(8, 10) → 0.1094).
        var result = McNemar.Exact(baselineOnly: 8, candidateOnly: 2);

        Assert.Equal(56.0 / 1024, result.PCandidateWorse, 12);
        Assert.Equal(1013.0 / 1024, result.PCandidateBetter, 12);
        Assert.Equal(112.0 / 1024, result.PTwoSided, 12);
    }

    [Fact]
    public void Sign_flip_enumerates_every_pattern()
    {
        // [1, 2, 3]: 8 sign patterns, the observed sum 6 is the largest: one-sided p = 1/8.
        var (greater, less) = PairedTests.SignFlip([1, 2, 3]);

        Assert.Equal(1.0 / 8, greater, 12);
        Assert.Equal(1.0, less, 12);
    }

    [Fact]
    public void Signed_rank_exact_for_five_positive_differences_is_one_in_32() =>
        Assert.Equal(1.0 / 32, PairedTests.SignedRank([1, 2, 3, 4, 5]).PGreater, 12);

    [Fact]
    public void Benjamini_Hochberg_rejects_four_of_the_fifteen_in_the_1995_example()
    {
        // Benjamini & Hochberg (1995), section 3.2: at q = 0.05 the first four hypotheses are rejected.
        double[] p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000];

        var q = BenjaminiHochberg.Adjust(p);

        Assert.Equal(4, q.Count(v => v <= 0.05));
        Assert.Equal(0.0095 * 15 / 4, q[3], 12);
        Assert.Equal(0.0201 * 15 / 5, q[4], 12);
        Assert.Equal(0.0298 * 15 / 7, q[5], 12); // rank 6 takes the smaller value of rank 7: the step-up minimum
        Assert.Equal(1.0, q[14], 12);
        Assert.Equal(0.05 * 2 / 15, BenjaminiHochberg.CriticalValue(2, 15, 0.05), 12);
    }

    [Fact]
    public void Minimum_detectable_shift_is_the_textbook_formula() =>
        // (z₀.₉₅ + z₀.₈)·σ·√(1/10 + 1/10) = (1.64485 + 0.84162)·√0.2.
        Assert.Equal(2.48647 * Math.Sqrt(0.2), Power.MinimumDetectableShift(1, 10, 10, 0.05, 0.8), 4);
}

public class OutlierTests
{
    [Fact]
    public void Hampel_flags_the_one_spike()
    {
        var flags = Outliers.Hampel([1.0, 1.1, 0.9, 10, 1.05, 0.95, 1.0]);

        Assert.Equal([3], Enumerable.Range(0, flags.Length).Where(i => flags[i]));
    }

    [Fact]
    public void Generalized_ESD_finds_two_planted_outliers_and_nothing_in_clean_data()
    {
        var random = new Random(1);
        var clean = Enumerable.Range(0, 30).Select(_ => 10 + random.NextDouble()).ToArray();
        double[] planted = [.. clean, 50, 60];

        Assert.Empty(Outliers.GeneralizedEsd(clean, 5));
        Assert.Equal([30, 31], Outliers.GeneralizedEsd(planted, 5).Order());
    }
}

public class EDivisiveTests
{
    private static double[] Noise(int seed, int count, double level, double spread)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => level + spread * (random.NextDouble() - 0.5)).ToArray();
    }

    [Fact]
    public void Finds_one_step_at_its_index()
    {
        double[] series = [.. Noise(1, 20, 10, 1), .. Noise(2, 20, 20, 1)];

        var point = Assert.Single(EDivisive.Detect(series, new EDivisiveOptions()));

        Assert.Equal(20, point.Index);
        Assert.True(point.PValue < 0.001);
        Assert.InRange(point.ForwardChange, 0.9, 1.1);
    }

    [Fact]
    public void Finds_two_steps()
    {
        double[] series = [.. Noise(3, 15, 10, 1), .. Noise(4, 15, 15, 1), .. Noise(5, 15, 10, 1)];

        var points = EDivisive.Detect(series, new EDivisiveOptions());

        Assert.Equal([15, 30], points.Select(p => p.Index));
    }

    [Fact]
    public void Finds_nothing_in_flat_noise()
    {
        for (var seed = 10; seed < 20; seed++)
        {
            Assert.Empty(EDivisive.Detect(Noise(seed, 60, 10, 1), new EDivisiveOptions(MaxPValue: 1e-4)));
        }
    }

    [Fact]
    public void A_step_beyond_the_first_window_is_found_by_the_overlapping_windows()
    {
        double[] series = [.. Noise(6, 70, 10, 1), .. Noise(7, 30, 12, 1)];

        var point = Assert.Single(EDivisive.Detect(series, new EDivisiveOptions(WindowLength: 50)));

        Assert.Equal(70, point.Index);
    }
}
