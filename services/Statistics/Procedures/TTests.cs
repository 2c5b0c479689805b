using MathNet.Numerics.Distributions;

namespace BenchMesh.Statistics.Procedures;

/// <summary>A t-test's statistic, degrees of freedom, estimate (x − y, or the mean difference) and one- and two-sided p-values.</summary>
public sealed record TTestResult(double T, double DegreesOfFreedom, double Estimate, double StandardError, double PGreater, double PLess, double PTwoSided)
{
    /// <summary>The result for a statistic and its distribution; a zero standard error gives p 1 for no difference and 0 otherwise.</summary>
    internal static TTestResult Of(double estimate, double standardError, double degreesOfFreedom)
    {
        if (standardError <= 0 || !double.IsFinite(standardError) || degreesOfFreedom <= 0)
        {
            var sign = Math.Sign(estimate);
            return new TTestResult(
                sign == 0 ? 0 : sign * double.PositiveInfinity, Math.Max(degreesOfFreedom, 0), estimate, 0,
                sign > 0 ? 0 : 1, sign < 0 ? 0 : 1, sign == 0 ? 1 : 0);
        }

        var t = estimate / standardError;
        // Both tails from the lower CDF so that tiny p-values keep their precision.
        var pGreater = StudentT.CDF(0, 1, degreesOfFreedom, -t);
        var pLess = StudentT.CDF(0, 1, degreesOfFreedom, t);
        return new TTestResult(t, degreesOfFreedom, estimate, standardError, pGreater, pLess, Math.Min(1, 2 * Math.Min(pGreater, pLess)));
    }
}

/// <summary>Welch's unequal-variances t-test: t = (x̄ − ȳ)/√(s²ₓ/n + s²ᵧ/m), Welch–Satterthwaite degrees of freedom.</summary>
public static class Welch
{
    /// <summary>Welch's test of x (candidate) against y (baseline), at least two values each; Estimate = mean(x) − mean(y).</summary>
    public static TTestResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length < 2 || y.Length < 2)
        {
            throw new ArgumentException("Welch's test needs at least two values on each side.");
        }

        var (meanX, varX) = Moments(x);
        var (meanY, varY) = Moments(y);
        var seX = varX / x.Length;
        var seY = varY / y.Length;
        var se2 = seX + seY;
        var dof = se2 * se2 / (seX * seX / (x.Length - 1) + seY * seY / (y.Length - 1));
        return TTestResult.Of(meanX - meanY, Math.Sqrt(se2), double.IsFinite(dof) ? dof : x.Length + y.Length - 2);
    }

    internal static (double Mean, double Variance) Moments(ReadOnlySpan<double> values)
    {
        var mean = 0.0;
        foreach (var v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return (mean, values.Length > 1 ? sum / (values.Length - 1) : 0);
    }
}

/// <summary>Student's two-sample t-test with pooled variance (what Otava's change-point significance uses).</summary>
public static class StudentTTest
{
    /// <summary>Student's pooled-variance test of x against y; Estimate = mean(x) − mean(y).</summary>
    public static TTestResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var (meanX, varX) = Welch.Moments(x);
        var (meanY, varY) = Welch.Moments(y);
        var dof = x.Length + y.Length - 2;
        var pooled = dof > 0 ? ((x.Length - 1) * varX + (y.Length - 1) * varY) / dof : 0;
        return TTestResult.Of(meanX - meanY, Math.Sqrt(pooled * (1.0 / x.Length + 1.0 / y.Length)), dof);
    }
}
