namespace BenchMesh.Statistics.Procedures;

/// <summary>A change point: <see cref="Index"/> is the first index of the new segment; the means and p-value compare the segments on either side.</summary>
public sealed record ChangePoint(int Index, double PValue, double MeanBefore, double MeanAfter, double ForwardChange);

/// <summary>Apache Otava's settings: window length, the significance a change point must reach, and the smallest relative change kept.</summary>
public sealed record EDivisiveOptions(int WindowLength = 50, double MaxPValue = 0.001, double MinMagnitude = 0.0);

/// <summary>
/// E-divisive means change-point detection as Apache Otava (ex DataStax Hunter; Fleming et al., ICPE 2023) runs it,
/// deterministic: candidates maximise Matteson &amp; James' energy statistic Q̂(τ, κ) (α = 1) over the segment between
/// known change points, and are kept while Student's two-sample t-test between the candidate's two sides is
/// significant; the series is scanned in overlapping windows (step = window/2), at a relaxed "weak" level (p × 10,
/// or × 2 from 0.05), and the weak change points are then merged bottom-up: the weakest one (largest p, or, when
/// every p passes, the smallest relative change) is removed and its neighbours re-tested until all pass
/// <see cref="EDivisiveOptions.MaxPValue"/> and <see cref="EDivisiveOptions.MinMagnitude"/>.
/// </summary>
public static class EDivisive
{
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
        var indices = Split(values, options.WindowLength, weak);
        return Merge(indices, values, max, options.MinMagnitude);
    }

    private static List<int> Split(double[] series, int windowLength, double maxPValue)
    {
        var found = new SortedSet<int>();
        var start = 0;
        var step = windowLength / 2;
        while (start < series.Length)
        {
            var end = Math.Min(start + windowLength, series.Length);
            var inWindow = DetectInWindow(series, start, end, maxPValue);
            foreach (var index in inWindow)
            {
                found.Add(index);
            }

            start = Math.Max(inWindow.Count > 0 ? inWindow.Max() : 0, start + step);
        }

        return [.. found];
    }

    /// <summary>Matteson &amp; James' divisive procedure inside series[start..end): split at the best candidate while it is significant.</summary>
    private static List<int> DetectInWindow(double[] series, int start, int end, double maxPValue)
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
            if (PValue(left, right) > maxPValue)
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

    private static IReadOnlyList<ChangePoint> Merge(List<int> indices, double[] series, double maxPValue, double minMagnitude)
    {
        var points = indices.ToList();
        var stats = points.Select((_, i) => Stats(points, i, series)).ToList();
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
            // Removing a change point changes its neighbours' segments: test them again.
            if (weakest - 1 >= 0)
            {
                stats[weakest - 1] = Stats(points, weakest - 1, series);
            }

            if (weakest < points.Count)
            {
                stats[weakest] = Stats(points, weakest, series);
            }
        }

        return stats;
    }

    private static double Magnitude(ChangePoint point) => Math.Abs(point.ForwardChange);

    /// <summary>The t-test between the segments on either side of change point i (bounded by its neighbours).</summary>
    private static ChangePoint Stats(List<int> points, int i, double[] series)
    {
        var from = i > 0 ? points[i - 1] : 0;
        var to = i + 1 < points.Count ? points[i + 1] : series.Length;
        var left = series.AsSpan(from, points[i] - from);
        var right = series.AsSpan(points[i], to - points[i]);
        var meanBefore = Mean(left);
        var meanAfter = Mean(right);
        var forward = meanBefore != 0 ? meanAfter / meanBefore - 1 : double.PositiveInfinity;
        return new ChangePoint(points[i], PValue(left, right), meanBefore, meanAfter, forward);
    }

    /// <summary>Student's two-sided t-test between two segments; 1 when there are too few values (Otava: at least 3 in all).</summary>
    private static double PValue(ReadOnlySpan<double> left, ReadOnlySpan<double> right) =>
        left.Length + right.Length - 2 <= 0 ? 1 : StudentTTest.Test(left, right).PTwoSided;

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
