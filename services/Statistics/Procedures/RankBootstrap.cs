namespace BenchMesh.Statistics.Procedures;

/// <summary>One resampling unit of a group: an item (successes, attempts) or a measured pass (accuracy, 1).</summary>
public readonly record struct ResampleUnit(double Value, double Weight);

/// <summary>One measured group (an execution): its observed score and the units it was measured on.</summary>
public sealed record BootstrapGroup(double Score, IReadOnlyList<ResampleUnit> Units);

/// <summary>A rank interval: the best (lowest) and worst (highest) rank at the confidence level.</summary>
public sealed record RankInterval(int Low, int High)
{
    public bool Overlaps(RankInterval other) => Low <= other.High && other.Low <= High;
}

/// <summary>
/// Percentile-bootstrap intervals for competition ranks ("1224", 1 = highest score) of entities whose score is the mean
/// of their groups' scores. Each replicate resamples, independently in every group, its units with replacement (as
/// many as it has) and moves the group's observed score by the change of its unit ratio ΣValue / ΣWeight:
/// score* = score + (ratio* − ratio). Shifting keeps every replicate centred on the observed scores, which may be
/// finer-grained than the units (partial credit), while the spread comes from the units. A group without units (or
/// with no weight) keeps its score in every replicate. The interval is the nearest-rank ⌈(α/2)·B⌉-th and
/// ⌈(1 − α/2)·B⌉-th smallest of an entity's B replicate ranks. Random draws come from <c>new Random(seed)</c>, in the
/// order of the entities, groups and units as given, so the same input gives the same intervals.
/// </summary>
public static class RankBootstrap
{
    public const int DefaultReplicates = 1000;

    public static RankInterval[] Intervals(
        IReadOnlyList<IReadOnlyList<BootstrapGroup>> entities, int replicates = DefaultReplicates, double confidence = 0.95, int seed = 12345)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(replicates);
        if (confidence is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Must be strictly between 0 and 1.");
        }

        var n = entities.Count;
        var prepared = entities.Select(groups => groups.Select(g => new PreparedGroup(g)).ToArray()).ToArray();
        var ranks = new int[n][];
        for (var i = 0; i < n; i++)
        {
            ranks[i] = new int[replicates];
        }

        var random = new Random(seed);
        var values = new double[n];
        var sorted = new double[n];
        for (var b = 0; b < replicates; b++)
        {
            for (var i = 0; i < n; i++)
            {
                values[i] = Replicate(prepared[i], random);
            }

            values.CopyTo(sorted, 0);
            Array.Sort(sorted);
            for (var i = 0; i < n; i++)
            {
                // Competition rank: 1 + the number of strictly higher scores.
                ranks[i][b] = 1 + n - UpperBound(sorted, values[i]);
            }
        }

        var tail = (1 - confidence) / 2;
        var low = Math.Max(1, (int)Math.Ceiling(tail * replicates)) - 1;
        var high = Math.Max(1, (int)Math.Ceiling((1 - tail) * replicates)) - 1;
        return ranks.Select(r =>
        {
            Array.Sort(r);
            return new RankInterval(r[low], r[high]);
        }).ToArray();
    }

    private static double Replicate(PreparedGroup[] groups, Random random)
    {
        if (groups.Length == 0)
        {
            return double.NegativeInfinity;
        }

        var sum = 0.0;
        foreach (var group in groups)
        {
            sum += group.Score + group.Shift(random);
        }

        return sum / groups.Length;
    }

    /// <summary>A group's units as arrays, and its observed ratio, computed once for every replicate.</summary>
    private sealed class PreparedGroup
    {
        private readonly double[] _values;
        private readonly double[] _weights;
        private readonly double _ratio;

        public PreparedGroup(BootstrapGroup group)
        {
            Score = group.Score;
            _values = group.Units.Select(u => u.Value).ToArray();
            _weights = group.Units.Select(u => u.Weight).ToArray();
            var weight = _weights.Sum();
            _ratio = weight > 0 ? _values.Sum() / weight : double.NaN;
        }

        public double Score { get; }

        public double Shift(Random random)
        {
            if (double.IsNaN(_ratio))
            {
                return 0;
            }

            double value = 0, weight = 0;
            for (var k = 0; k < _values.Length; k++)
            {
                var j = random.Next(_values.Length);
                value += _values[j];
                weight += _weights[j];
            }

            return weight <= 0 ? 0 : value / weight - _ratio;
        }
    }

    /// <summary>The number of elements of the ascending <paramref name="sorted"/> that are at most <paramref name="x"/>.</summary>
    private static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
