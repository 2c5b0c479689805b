using MathNet.Numerics.Distributions;

namespace BenchMesh.Statistics.Procedures;

/// <summary>
/// A change point: <see cref="Index"/> is the first index of the new segment; the means and p-value (Otava's t-test)
/// compare the segments between its neighbouring change points; <see cref="ForwardChange"/> = MeanAfter/MeanBefore − 1
/// (0 when MeanBefore is 0, as Otava).
/// </summary>
public sealed record ChangePoint(int Index, double PValue, double MeanBefore, double MeanAfter, double ForwardChange);

/// <summary>
/// Apache Otava's settings (its defaults: window 50, p 0.001, magnitude 0): window length, the significance a change
/// point must reach, and the smallest relative change kept.
/// </summary>
public sealed record EDivisiveOptions(int WindowLength = 50, double MaxPValue = 0.001, double MinMagnitude = 0.0)
{
    /// <summary>
    /// True (the default): Otava exactly, the t-test on population standard deviations and its merge re-testing the
    /// points at and after a removed one. False: the textbook Student's t-test (sample standard deviations, slightly
    /// larger p-values) and a merge that re-tests both neighbours of a removed point.
    /// </summary>
    public bool OtavaCompatible { get; init; } = true;
}

/// <summary>
/// E-divisive means change-point detection as Apache Otava (ex DataStax Hunter; Fleming et al., ICPE 2023;
/// <c>otava/analysis.py</c> <c>compute_change_points</c>, <c>split</c>, <c>merge</c>) runs it, deterministic:
/// <list type="bullet">
/// <item>candidates maximise Matteson &amp; James' energy statistic Q̂(τ, κ) (α = 1) over each interval between the
/// change points found so far, the best candidate of all intervals is kept while Student's two-sided t-test between
/// its two sides has p ≤ the level (Otava's <c>ChangePointDetector</c>, stopping at the first failure);</item>
/// <item>the series is scanned in windows of <see cref="EDivisiveOptions.WindowLength"/> starting at 0 and moving to
/// max(last change point found, start + window/2), at the relaxed "weak" level p × 10 (p × 2 from 0.05, p itself from
/// 0.5), and the union of the weak change points is merged bottom-up: the point with the largest p is removed while
/// that p ≥ <see cref="EDivisiveOptions.MaxPValue"/>, then the point with the smallest change magnitude while it is
/// ≤ <see cref="EDivisiveOptions.MinMagnitude"/>.</item>
/// </list>
/// Otava's details are kept because its TigerBeetle test pins the output: the t-test is scipy's
/// <c>ttest_ind_from_stats</c> fed with <c>np.std</c> (population standard deviations); the magnitude is
/// max(|after/before − 1|, |before/after − 1|); after a removal the merge re-tests the points now at the removed
/// position and the one after it (not the left neighbour). O(W²) per candidate search in a window of W values.
/// </summary>
public static class EDivisive
{
    /// <summary>The change points of the series, in index order (none for fewer than 3 values).</summary>
    public static IReadOnlyList<ChangePoint> Detect(ReadOnlySpan<double> series, EDivisiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.WindowLength < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The window must hold at least 2 values.");
        }

        var values = series.ToArray();
        if (values.Length < 3)
        {
            return [];
        }

        var max = options.MaxPValue;
        var weak = max < 0.05 ? max * 10 : max < 0.5 ? max * 2 : max;
        var otava = options.OtavaCompatible;
        var indices = Split(values, options.WindowLength, weak, otava);
        return Merge(indices, values, max, options.MinMagnitude, otava);
    }

    private static List<int> Split(double[] series, int windowLength, double maxPValue, bool otava)
    {
        var found = new SortedSet<int>();
        var start = 0;
        var step = windowLength / 2;
        while (start < series.Length)
        {
            var end = Math.Min(start + windowLength, series.Length);
            var inWindow = DetectInWindow(series, start, end, maxPValue, otava);
            foreach (var index in inWindow)
            {
                found.Add(index);
            }

            start = Math.Max(inWindow.Count > 0 ? inWindow.Max() : 0, start + step);
        }

        return [.. found];
    }

    /// <summary>Matteson &amp; James' divisive procedure inside series[start..end): split at the best candidate while it is significant.</summary>
    private static List<int> DetectInWindow(double[] series, int start, int end, double maxPValue, bool otava)
    {
        var length = end - start;
        if (length < 3)
        {
            return [];
        }

        var prefix = DistancePrefix(series, start, end);
        var points = new List<int>();
        while (true)
        {
            // The intervals between the change points found so far; the best candidate over all of them.
            var bounds = new List<int> { 0 };
            bounds.AddRange(points);
            bounds.Add(length);
            var best = (Index: -1, Q: double.NegativeInfinity, From: 0, To: 0);
            for (var b = 0; b + 1 < bounds.Count; b++)
            {
                if (Candidate(prefix, bounds[b], bounds[b + 1]) is { } candidate && candidate.Q > best.Q)
                {
                    best = (candidate.Index, candidate.Q, bounds[b], bounds[b + 1]);
                }
            }

            if (best.Index < 0)
            {
                break;
            }

            var left = series.AsSpan(start + best.From, best.Index - best.From);
            var right = series.AsSpan(start + best.Index, best.To - best.Index);
            if (PValue(left, right, otava) > maxPValue)
            {
                break;
            }

            points.Add(best.Index);
            points.Sort();
        }

        return points.Select(p => p + start).ToList();
    }

    /// <summary>
    /// The τ (and κ) in [from, to) maximising Q̂(τ, κ) = 2/(n+m)·Σ|X−Y| − 2m/((n+m)(n−1))·Σ_{i&lt;k}|Xᵢ−Xₖ| −
    /// 2n/((n+m)(m−1))·Σ_{j&lt;l}|Yⱼ−Yₗ| with X = [from, τ), Y = [τ, κ) (a within term is 0 for a single value).
    /// </summary>
    private static (int Index, double Q)? Candidate(double[,] prefix, int from, int to)
    {
        if (to - from < 2)
        {
            return null;
        }

        (int, double)? best = null;
        var bestQ = double.NegativeInfinity;
        for (var tau = from + 1; tau < to; tau++)
        {
            var n = tau - from;
            var withinX = Block(prefix, from, tau, from, tau) / 2;
            for (var kappa = tau + 1; kappa <= to; kappa++)
            {
                var m = kappa - tau;
                var cross = Block(prefix, from, tau, tau, kappa);
                var withinY = Block(prefix, tau, kappa, tau, kappa) / 2;
                var q = 2.0 / (n + m) * cross
                    - (n > 1 ? 2.0 * m / ((n + m) * (n - 1.0)) * withinX : 0)
                    - (m > 1 ? 2.0 * n / ((n + m) * (m - 1.0)) * withinY : 0);
                if (q > bestQ)
                {
                    bestQ = q;
                    best = (tau, q);
                }
            }
        }

        return best;
    }

    /// <summary>2-D prefix sums of |xᵢ − xⱼ| over series[start..end): prefix[i, j] = Σ over rows &lt; i, columns &lt; j.</summary>
    private static double[,] DistancePrefix(double[] series, int start, int end)
    {
        var length = end - start;
        var prefix = new double[length + 1, length + 1];
        for (var i = 0; i < length; i++)
        {
            for (var j = 0; j < length; j++)
            {
                prefix[i + 1, j + 1] = Math.Abs(series[start + i] - series[start + j]) + prefix[i, j + 1] + prefix[i + 1, j] - prefix[i, j];
            }
        }

        return prefix;
    }

    private static double Block(double[,] prefix, int rowFrom, int rowTo, int columnFrom, int columnTo) =>
        prefix[rowTo, columnTo] - prefix[rowFrom, columnTo] - prefix[rowTo, columnFrom] + prefix[rowFrom, columnFrom];

    private static IReadOnlyList<ChangePoint> Merge(List<int> indices, double[] series, double maxPValue, double minMagnitude, bool otava)
    {
        var points = indices.ToList();
        var stats = points.Select((_, i) => Stats(points, i, series, otava)).ToList();
        while (points.Count > 0)
        {
            var weakest = Enumerable.Range(0, points.Count).MaxBy(i => stats[i].PValue);
            if (stats[weakest].PValue < maxPValue)
            {
                weakest = Enumerable.Range(0, points.Count).MinBy(i => Magnitude(stats[i]));
                if (Magnitude(stats[weakest]) > minMagnitude)
                {
                    break;
                }
            }

            points.RemoveAt(weakest);
            stats.RemoveAt(weakest);
            // Otava recomputes the points now at `weakest` and `weakest + 1` (recompute(weakest_cp_index) and
            // recompute(weakest_cp_index + 1) in otava/analysis.py, merge); the neighbours of the removed point are at
            // `weakest − 1` and `weakest`.
            var first = otava ? weakest : weakest - 1;
            for (var i = Math.Max(0, first); i <= first + 1 && i < points.Count; i++)
            {
                stats[i] = Stats(points, i, series, otava);
            }
        }

        // The set of points is Otava's; their statistics are reported on the final segments (Otava's merge never
        // recomputes the left neighbour of a removed point, so its p-value and means can describe a segment that
        // no longer exists; the p-value reported here may then exceed MaxPValue).
        return points.Select((_, i) => Stats(points, i, series, otava)).ToList();
    }

    /// <summary>Otava's <c>change_magnitude</c>: the larger of the forward and backward relative changes, in absolute value.</summary>
    private static double Magnitude(ChangePoint point)
    {
        var backward = point.MeanAfter != 0 ? point.MeanBefore / point.MeanAfter - 1 : 0;
        return Math.Max(Math.Abs(point.ForwardChange), Math.Abs(backward));
    }

    /// <summary>The t-test between the segments on either side of change point i (bounded by its neighbours).</summary>
    private static ChangePoint Stats(List<int> points, int i, double[] series, bool otava)
    {
        var from = i > 0 ? points[i - 1] : 0;
        var to = i + 1 < points.Count ? points[i + 1] : series.Length;
        var left = series.AsSpan(from, points[i] - from);
        var right = series.AsSpan(points[i], to - points[i]);
        var meanBefore = Mean(left);
        var meanAfter = Mean(right);
        var forward = meanBefore != 0 ? meanAfter / meanBefore - 1 : 0;
        return new ChangePoint(points[i], PValue(left, right, otava), meanBefore, meanAfter, forward);
    }

    /// <summary>
    /// Otava's significance: Student's two-sided pooled t-test as scipy's <c>ttest_ind_from_stats</c> computes it from
    /// <c>np.std</c>, that is from the population standard deviations (divisor n, not n − 1), so the pooled variance
    /// is Σ(n−1)·σ²/(n+m−2) with σ² = Σ(x−x̄)²/n. 1 when there are fewer than 3 values in all, 0 when both sides are
    /// constant and differ, 1 when they are constant and equal (scipy's NaN, which never passes). Not
    /// <paramref name="otava"/>: the textbook Student's t-test (<see cref="StudentTTest"/>).
    /// </summary>
    private static double PValue(ReadOnlySpan<double> left, ReadOnlySpan<double> right, bool otava)
    {
        if (!otava)
        {
            return left.Length + right.Length - 2 <= 0 ? 1 : StudentTTest.Test(left, right).PTwoSided;
        }

        var n = left.Length;
        var m = right.Length;
        var dof = n + m - 2;
        if (dof <= 0)
        {
            return 1;
        }

        var (meanLeft, squaresLeft) = SumOfSquares(left);
        var (meanRight, squaresRight) = SumOfSquares(right);
        var varianceLeft = n >= 2 ? squaresLeft / n : 0;
        var varianceRight = m >= 2 ? squaresRight / m : 0;
        var pooled = ((n - 1) * varianceLeft + (m - 1) * varianceRight) / dof;
        var standardError = Math.Sqrt(pooled * (1.0 / n + 1.0 / m));
        var difference = meanLeft - meanRight;
        if (standardError == 0)
        {
            return difference == 0 ? 1 : 0;
        }

        var t = Math.Abs(difference) / standardError;
        return Math.Min(1, 2 * StudentT.CDF(0, 1, dof, -t));
    }

    private static (double Mean, double SumOfSquares) SumOfSquares(ReadOnlySpan<double> values)
    {
        var mean = Mean(values);
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return (mean, sum);
    }

    private static double Mean(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum / values.Length;
    }
}
