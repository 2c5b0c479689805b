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
    public void With_ties_beyond_the_exact_bound_matches_R_on_the_airquality_example()
    {
        // R, ?wilcox.test: wilcox.test(Ozone ~ Month, data = airquality, subset = Month %in% c(5, 8)) → "cannot compute
        // exact p-value with ties"; W = 127.5, p-value = 0.0001208 (normal approximation, tie and continuity corrected).
        // Ozone of May and August 1973 without the NA days, in R's datasets::airquality order.
        double[] may = [41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, 23, 45, 115, 37];
        double[] august = [39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9, 45, 168, 73, 76, 118, 84, 85];

        var result = MannWhitney.Test(may, august);

        Assert.False(result.Exact);
        Assert.Equal(127.5, result.U);
        Assert.Equal(0.0001208, result.PTwoSided, 7);
        Assert.Equal(result.PTwoSided / 2, result.PLess, 12);
    }

    [Fact]
    public void With_ties_the_exact_distribution_is_the_permutation_distribution_of_the_mid_ranks()
    {
        // Checked against brute force: every one of the C(16, 8) = 12 870 ways to pick the candidate's mid-ranks.
        double[] x = [1, 2, 2, 3, 3, 3, 4, 5];
        double[] y = [2, 3, 3, 4, 4, 5, 5, 6];

        var result = MannWhitney.Test(x, y);
        var (pGreater, pLess, floor) = Enumerate(x, y);

        Assert.True(result.Exact);
        Assert.Equal(pGreater, result.PGreater, 12);
        Assert.Equal(pLess, result.PLess, 12);
        Assert.Equal(floor, result.MinimumOneSidedP, 12);
    }

    [Fact]
    public void With_ties_the_floor_is_the_probability_of_the_tied_extreme()
    {
        // Mid-ranks [1, 3.5, 3.5, 3.5, 3.5, 6]: the smallest rank sum 1 + 3.5 + 3.5 comes from C(4, 2) = 6 of the 20
        // splits, as does the largest; no one-sided p below 6/20 is possible (without ties the floor is 1/20).
        var result = MannWhitney.Test([1, 2, 2], [2, 2, 3]);

        Assert.Equal(0.3, result.MinimumOneSidedP, 12);
    }

    [Fact]
    public void Thirty_against_thirty_keeps_the_exact_floor_in_both_tails()
    {
        // 1/C(60, 30) = 1/118 264 581 564 861 424 ≈ 8.4556·10⁻¹⁸; one inversion doubles it.
        var low = Enumerable.Range(0, 30).Select(i => (double)i).ToArray();
        var high = low.Select(v => v + 100).ToArray();
        var oneInversion = high.ToArray();
        oneInversion[0] = 28.5; // below the baseline's largest value only

        const double floor = 1 / 118_264_581_564_861_424.0;
        Assert.Equal(floor, MannWhitney.Test(high, low).PGreater, floor * 1e-9);
        Assert.Equal(floor, MannWhitney.Test(low, high).PLess, floor * 1e-9);
        Assert.Equal(floor, MannWhitney.Test(high, low).MinimumOneSidedP, floor * 1e-9);
        Assert.Equal(2 * floor, MannWhitney.Test(oneInversion, low).PGreater, floor * 1e-9);
    }

    /// <summary>Brute-force exact tails of the rank sum over pooled mid-ranks, and the floor (least likely extreme).</summary>
    private static (double PGreater, double PLess, double Floor) Enumerate(double[] x, double[] y)
    {
        var pooled = x.Concat(y).ToArray();
        var ranks = pooled.Select(v => pooled.Count(w => w < v) + (pooled.Count(w => w == v) + 1) / 2.0).ToArray();
        var observed = ranks.Take(x.Length).Sum();
        var sums = new List<double>();
        Choose(0, x.Length, 0.0);
        double greater = sums.Count(s => s >= observed - 1e-9), less = sums.Count(s => s <= observed + 1e-9);
        var min = sums.Min();
        var max = sums.Max();
        var floor = Math.Min(sums.Count(s => s == min), sums.Count(s => s == max)) / (double)sums.Count;
        return (greater / sums.Count, less / sums.Count, floor);

        void Choose(int from, int left, double sum)
        {
            if (left == 0)
            {
                sums.Add(sum);
                return;
            }

            for (var i = from; i <= ranks.Length - left; i++)
            {
                Choose(i + 1, left - 1, sum + ranks[i]);
            }
        }
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
    [Theory]
    // R's exact rule (wilcox.test(x, y, conf.int = TRUE, conf.level = 1 − misrate)): qu = qwilcox(misrate/2, 10, 5),
    // bounds diffs[qu] and diffs[nm − qu + 1], achieved misrate 2·pwilcox(qu − 1, 10, 5). By enumerating all
    // C(15, 5) = 3003 rank sets: at 0.05, qu = 9, P(U ≤ 8) = 0.01998 → [−0.15, 0.76]; at 0.10, qu = 12,
    // P(U ≤ 11) = 0.04962 → [−0.08, 0.72]. The estimate is R's "difference in location" 0.305.
    [InlineData(0.05, -0.15, 0.76, 0.03996004)]
    [InlineData(0.10, -0.08, 0.72, 0.09923410)]
    public void Matches_R_on_the_permeability_example(double misrate, double lower, double upper, double achieved)
    {
        double[] x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
        double[] y = [1.15, 0.88, 0.90, 0.74, 1.21];

        var shift = HodgesLehmann.Shift(x, y, misrate);

        Assert.Equal(0.305, shift.Estimate, 9);
        Assert.Equal(lower, shift.Lower, 9);
        Assert.Equal(upper, shift.Upper, 9);
        Assert.Equal(achieved, shift.Misrate, 7);
    }

    [Fact]
    public void The_centre_matches_R_on_the_depression_example()
    {
        // R, ?wilcox.test (Hollander & Wolfe, p. 29): x − y of the paired Hamilton depression scores. R's exact rule
        // (wilcox.test(x, y, paired = TRUE, conf.int = TRUE)): the (pseudo)median of the 45 Walsh averages is 0.46;
        // qsignrank(0.025, 9) = 6 (P(V ≤ 5) = 10/512 < 0.025 ≤ P(V ≤ 6) = 14/512), bounds the 6th smallest and 6th
        // largest Walsh averages, 0.01 and 0.786, achieved misrate 2·10/512.
        double[] x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
        double[] y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

        var centre = HodgesLehmann.Center(x.Zip(y, (a, b) => a - b).ToArray(), 0.05);

        Assert.Equal(0.46, centre.Estimate, 9);
        Assert.Equal(0.01, centre.Lower, 9);
        Assert.Equal(0.786, centre.Upper, 9);
        Assert.Equal(20.0 / 512, centre.Misrate, 12);
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
    private static readonly double[] SleepGroup1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    private static readonly double[] SleepGroup2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    [Fact]
    public void Welch_matches_R_on_the_sleep_data()
    {
        // R: t.test(extra ~ group, data = sleep) → Welch Two Sample t-test, t = -1.8608, df = 17.776,
        // p-value = 0.07939; means 0.75 and 2.33 (Student's 1908 sleep data, R's datasets::sleep).
        var result = Welch.Test(SleepGroup1, SleepGroup2);

        Assert.Equal(-1.8608, result.T, 4);
        Assert.Equal(17.776, result.DegreesOfFreedom, 3);
        Assert.Equal(0.07939, result.PTwoSided, 5);
        Assert.Equal(-1.58, result.Estimate, 12);
        Assert.Equal(result.PTwoSided / 2, result.PLess, 12);
    }

    [Fact]
    public void Paired_t_matches_R_on_the_sleep_data()
    {
        // R: t.test(extra ~ group, data = sleep, paired = TRUE) → t = -4.0621, df = 9, p-value = 0.002833,
        // mean difference -1.58.
        var result = PairedTests.PairedT(SleepGroup1.Zip(SleepGroup2, (a, b) => a - b).ToArray());

        Assert.Equal(-4.0621, result.T, 4);
        Assert.Equal(9, result.DegreesOfFreedom);
        Assert.Equal(0.002833, result.PTwoSided, 6);
        Assert.Equal(-1.58, result.Estimate, 12);
    }

    [Fact]
    public void Welch_matches_the_unequal_variance_reference_example()
    {
        // Welch's t-test (Wikipedia, "Welch's t-test", example 1): t = −2.46, df = 24.99, p = 0.021.
        double[] a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
        double[] b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

        var result = Welch.Test(a, b);

        Assert.Equal(-2.46, result.T, 2);
        Assert.Equal(24.99, result.DegreesOfFreedom, 2);
        Assert.Equal(0.021, result.PTwoSided, 3);
    }

    [Fact]
    public void A_zero_standard_error_gives_a_definite_answer()
    {
        var same = Welch.Test([1, 1, 1], [1, 1, 1]);
        var apart = Welch.Test([2, 2, 2], [1, 1, 1]);

        Assert.Equal(0, same.T);
        Assert.Equal(1, same.PTwoSided);
        Assert.Equal(double.PositiveInfinity, apart.T);
        Assert.Equal(0, apart.PGreater);
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
    public void McNemar_matches_the_published_exact_p_value_of_Fagerland_et_al()
    {
        // Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, airway hyper-responsiveness before and after
        // stem cell transplantation: discordant pairs 1 and 7, exact conditional McNemar p = 0.070 (= 2·9/256).
        var result = McNemar.Exact(baselineOnly: 7, candidateOnly: 1);

        Assert.Equal(18.0 / 256, result.PTwoSided, 12);
        Assert.Equal(9.0 / 256, result.PCandidateWorse, 12);
        Assert.Equal(0.070, result.PTwoSided, 3);
    }

    [Fact]
    public void McNemar_keeps_tiny_p_values()
    {
        // 200 items lost, none gained: P(X ≥ 200 | n = 200, ½) = 2⁻²⁰⁰ ≈ 6.2·10⁻⁶¹, not 1 − 1 = 0.
        var result = McNemar.Exact(200, 0);

        Assert.Equal(Math.Pow(2, -200), result.PCandidateWorse, Math.Pow(2, -200) * 1e-9);
    }

    [Fact]
    public void Sign_flip_on_the_sleep_data_is_one_in_512()
    {
        // Nine non-zero differences, all negative (one is 0 and carries no sign): only the observed pattern is as low.
        var (greater, less) = PairedTests.SignFlip(SleepDifferences);

        Assert.Equal(1.0 / 512, less, 12);
        Assert.Equal(1.0, greater, 12);
    }

    private static readonly double[] SleepDifferences = [-1.2, -2.4, -1.3, -1.3, 0.0, -1.0, -1.8, -0.8, -4.6, -1.4];

    [Fact]
    public void Sign_flip_counts_the_same_as_plain_enumeration()
    {
        var random = new Random(7);
        for (var count = 1; count <= 14; count++)
        {
            // Rounded to 0.5 so that many patterns tie with the observed sum.
            var d = Enumerable.Range(0, count).Select(_ => Math.Round(random.NextDouble() * 8 - 3) / 2).Where(v => v != 0).ToArray();
            if (d.Length == 0)
            {
                continue;
            }

            long atLeast = 0, atMost = 0;
            for (var pattern = 0; pattern < 1 << d.Length; pattern++)
            {
                var sum = d.Select((v, i) => (pattern & (1 << i)) != 0 ? -Math.Abs(v) : Math.Abs(v)).Sum();
                atLeast += sum >= d.Sum() - 1e-9 ? 1 : 0;
                atMost += sum <= d.Sum() + 1e-9 ? 1 : 0;
            }

            var (greater, less) = PairedTests.SignFlip(d);
            Assert.Equal(atLeast / (double)(1 << d.Length), greater, 12);
            Assert.Equal(atMost / (double)(1 << d.Length), less, 12);
        }
    }

    [Fact]
    public void Sign_flip_samples_beyond_twenty_differences_with_the_seeded_rule()
    {
        // 25 positive differences: a random pattern reaches the observed sum with probability 2⁻²⁵, so with B = 10 000
        // draws p = (1 + 0)/(1 + B); the same seed gives the same answer.
        var d = Enumerable.Range(1, 25).Select(i => (double)i).ToArray();

        var first = PairedTests.SignFlip(d);

        Assert.Equal(1.0 / 10_001, first.PGreater, 12);
        Assert.Equal(1.0, first.PLess, 12);
        Assert.Equal(first, PairedTests.SignFlip(d));
    }

    [Fact]
    public void Signed_rank_matches_R_on_the_depression_example()
    {
        // R, ?wilcox.test: wilcox.test(x, y, paired = TRUE, alternative = "greater") → V = 40, p-value = 0.01953 (= 10/512).
        double[] x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
        double[] y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

        var (greater, _) = PairedTests.SignedRank(x.Zip(y, (a, b) => a - b).ToArray());

        Assert.Equal(10.0 / 512, greater, 12);
    }

    [Fact]
    public void Signed_rank_with_ties_is_exact_over_the_mid_ranks()
    {
        // |d| = 1, 1, 2, 2, 2, 3 → mid-ranks 1.5, 1.5, 4, 4, 4, 6; W⁺ = 1.5 + 4 + 4 + 6 = 15.5. Brute force over the
        // 2⁶ sign patterns: the patterns whose positive mid-ranks sum to ≥ 15.5.
        double[] d = [1, -1, 2, 2, -2, 3];
        double[] ranks = [1.5, 1.5, 4, 4, 4, 6];
        var sums = Enumerable.Range(0, 64).Select(p => ranks.Where((_, i) => (p & (1 << i)) != 0).Sum()).ToArray();

        var (greater, less) = PairedTests.SignedRank(d);

        Assert.Equal(sums.Count(s => s >= 15.5) / 64.0, greater, 12);
        Assert.Equal(sums.Count(s => s <= 15.5) / 64.0, less, 12);
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
    public void Only_tests_that_can_reach_the_fdr_are_testable()
    {
        // A floor above q cannot be rejected at any rank; a floor of exactly q can, at the last rank.
        var testable = BenjaminiHochberg.Testable([0.0, 1.0, 0.05, Math.Exp(-Math.Log(20)), 0.0500001, 1e-9], 0.05);

        Assert.Equal([true, false, true, true, false, true], testable);
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
    public void Generalized_ESD_finds_the_three_outliers_in_Rosners_data()
    {
        // Rosner (1983), as worked in the NIST/SEMATECH e-Handbook 1.3.5.17.3 (54 values, up to 10 outliers, α = 0.05):
        // R₁ = 3.118 < λ₁ = 3.158, R₂ = 2.942 < 3.151, R₃ = 3.179 > λ₃ = 3.143, no later Rᵢ > λᵢ → 3 outliers,
        // 6.01, 5.42 and 5.34. (NIST prints 3 decimals; other implementations print 3.119 / 3.159 for step 1.)
        double[] x =
        [
            -0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49, 1.49, 1.55, 1.56, 1.58, 1.65, 1.69, 1.70,
            1.76, 1.77, 1.81, 1.91, 1.94, 1.96, 1.99, 2.06, 2.09, 2.10, 2.14, 2.15, 2.23, 2.24, 2.26, 2.35, 2.37, 2.40,
            2.47, 2.54, 2.62, 2.64, 2.90, 2.92, 2.92, 2.93, 3.21, 3.26, 3.30, 3.59, 3.68, 4.30, 4.64, 5.34, 5.42, 6.01,
        ];

        var steps = Outliers.GeneralizedEsdSteps(x, 10);

        Assert.Equal(10, steps.Count);
        Assert.Equal(3.118, steps[0].Statistic, 0.0015);
        Assert.Equal(3.158, steps[0].Critical, 0.0015);
        Assert.Equal(2.942, steps[1].Statistic, 0.0015);
        Assert.Equal(3.179, steps[2].Statistic, 0.0015);
        Assert.Equal(3.143, steps[2].Critical, 0.0015);
        Assert.Equal(2.067, steps[9].Statistic, 0.0015);
        Assert.Equal(3.085, steps[9].Critical, 0.0015);
        Assert.Equal([51, 52, 53], Outliers.GeneralizedEsd(x, 10).Order());
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
    public void The_magnitude_is_Otavas_larger_of_the_forward_and_backward_changes()
    {
        // A halving: forward change −50 %, backward +100 %; Otava's change_magnitude is max(|−0.5|, |1.0|) = 1, so the
        // point survives min_magnitude 0.6 (it would not on the forward change alone).
        double[] series = [.. Noise(8, 20, 20, 1), .. Noise(9, 20, 10, 1)];

        var point = Assert.Single(EDivisive.Detect(series, new EDivisiveOptions(MinMagnitude: 0.6)));

        Assert.Equal(20, point.Index);
        Assert.InRange(point.ForwardChange, -0.52, -0.48);
    }

    [Fact]
    public void The_textbook_mode_uses_sample_standard_deviations()
    {
        // Otava's t-test pools population variances (np.std), so its p-values are smaller than Student's.
        double[] series = [.. Noise(11, 8, 10, 1), .. Noise(12, 8, 14, 1)];

        var otava = EDivisive.Detect(series, new EDivisiveOptions());
        var textbook = EDivisive.Detect(series, new EDivisiveOptions { OtavaCompatible = false });

        var left = series.AsSpan(0, 8);
        var right = series.AsSpan(8);
        Assert.Equal(8, Assert.Single(textbook).Index);
        Assert.Equal(StudentTTest.Test(left, right).PTwoSided, textbook[0].PValue, 12);
        Assert.Equal(8, Assert.Single(otava).Index);
        Assert.True(otava[0].PValue < textbook[0].PValue);
    }

    [Fact]
    public void A_step_beyond_the_first_window_is_found_by_the_overlapping_windows()
    {
        double[] series = [.. Noise(6, 70, 10, 1), .. Noise(7, 30, 12, 1)];

        var point = Assert.Single(EDivisive.Detect(series, new EDivisiveOptions(WindowLength: 50)));

        Assert.Equal(70, point.Index);
    }
}
