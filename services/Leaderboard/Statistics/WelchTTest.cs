using MathNet.Numerics.Distributions;

namespace BenchMesh.Leaderboard.Statistics;

/// <summary>The outcome of a two-sample test. <see cref="PValue"/> is null when there were too few values to test.</summary>
public sealed record SignificanceResult(string Test, double? PValue, bool Significant, double? Statistic, double? DegreesOfFreedom);

/// <summary>A two-sample significance test; an interface so that another test (e.g. a paired or bootstrap one) can replace it.</summary>
public interface ISignificanceTest
{
    string Name { get; }

    SignificanceResult Compare(IReadOnlyList<double> a, IReadOnlyList<double> b);
}

/// <summary>
/// Welch's unequal-variances t-test, two-sided: t = (mean_a - mean_b) / sqrt(var_a/n_a + var_b/n_b), degrees of
/// freedom by Welch–Satterthwaite, p from Student's t distribution. Significant when p &lt; <see cref="Alpha"/>.
/// </summary>
public sealed class WelchTTest : ISignificanceTest
{
    public const double Alpha = 0.05;

    public string Name => "welch_t_test";

    public SignificanceResult Compare(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count < 2 || b.Count < 2)
        {
            return new SignificanceResult(Name, null, false, null, null);
        }

        var (meanA, varA) = MeanVariance(a);
        var (meanB, varB) = MeanVariance(b);
        var seA = varA / a.Count;
        var seB = varB / b.Count;
        var se2 = seA + seB;

        // Values that are all equal leave rounding noise rather than an exact zero variance.
        if (se2 <= 1e-24 * Math.Max(1, Math.Max(meanA * meanA, meanB * meanB)))
        {
            // No spread at all: the samples are either identical or entirely separate.
            var equal = Math.Abs(meanA - meanB) <= 1e-12 * Math.Max(1, Math.Max(Math.Abs(meanA), Math.Abs(meanB)));
            return new SignificanceResult(Name, equal ? 1 : 0, !equal, null, a.Count + b.Count - 2);
        }

        var t = (meanA - meanB) / Math.Sqrt(se2);
        var df = se2 * se2 / (seA * seA / (a.Count - 1) + seB * seB / (b.Count - 1));

        // Two-sided, from the lower tail so that very small p-values keep their precision.
        var p = Math.Clamp(2 * StudentT.CDF(0, 1, df, -Math.Abs(t)), 0, 1);
        return new SignificanceResult(Name, p, p < Alpha, t, df);
    }

    private static (double Mean, double Variance) MeanVariance(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, variance);
    }
}
