using BenchMesh.Statistics.Procedures;

namespace BenchMesh.Statistics.Engine;

/// <summary>
/// Judges series of versions online — each version only with the data before it — the way the Regression
/// service does as versions arrive and <c>benchmesh regress</c> does over a file:
/// <list type="number">
/// <item><b>Gate.</b> The version's runs against the baseline, the stable segment since the last confirmed change
/// (outlying versions left out, the newest <see cref="RegressionEngineOptions.MaxBaselineRuns"/> runs), with the
/// test <see cref="Comparator"/> picks. Benjamini-Hochberg across the family's cells at this version; an alert
/// needs a q-value within the FDR, a raw p within <see cref="RegressionEngineOptions.AlertLevel"/>, and an estimated
/// worsening of at least the metric's practical threshold.</item>
/// <item><b>Confirmation.</b> Screens that pass (or come close: p within the screen level, half the threshold) are
/// re-run when an <see cref="IConfirmationSource"/> is given, the way the Regression service confirms: rounds of
/// interleaved runs of the candidate and the version before it (A B A B): an alert needs those runs alone to show the
/// regression at the one-shot level, so neither a transient nor a batch offset between the original runs alerts, and the
/// candidate's runs pooled with its re-runs to show it against the baseline at the monitor level. Without re-runs, a borderline
/// version is pooled with the next one when that one is as bad.</item>
/// <item><b>Change points.</b> E-divisive means with Student's t significance (Otava's algorithm, p 1e-4) over the
/// per-version locations of the stable segment's versions (the last 50 at most), single-version outliers replaced first
/// (Hampel): a slow drift or a shift the gate missed is found late but blamed on the right version.</item>
/// </list>
/// Improvements, inconclusive cells and their minimum detectable effects are reported, never silently passed.
/// A family of two versions is a one-shot comparison (<see cref="DecisionLevel.OneShot"/>): its one check is decided at
/// Benjamini-Hochberg <see cref="RegressionEngineOptions.FalseDiscoveryRate"/> with the practical threshold, on the data
/// at hand; longer histories are monitored (<see cref="DecisionLevel.Monitor"/>) as above. <see cref="RegressionEngineOptions.Level"/>
/// can force either.
/// </summary>
public sealed class RegressionEngine(RegressionEngineOptions? options = null)
{
    public RegressionEngineOptions Options { get; } = options ?? new RegressionEngineOptions();

    /// <summary>Analyses every series; series of one family share multiple-testing control. Order is preserved.</summary>
    public IReadOnlyList<SeriesVerdict> Analyze(IReadOnlyList<SeriesInput> series, IConfirmationSource? confirmation = null) =>
        Run(series, confirmation, from: null, keep: false).Verdicts;

    /// <summary>
    /// <see cref="Analyze"/>, resumable: besides the verdicts it returns each family's state after every version but the
    /// newest (<see cref="EngineCheckpoint"/>), and given such a checkpoint it starts from it instead of from the first
    /// version. The engine is online (each version judged only with the data before it, every version but a two-version
    /// family's newest at the monitor level), so a family's state after versions 0..k−1 depends on nothing but the series'
    /// data at those versions, their metrics and the engine's options: the checkpoint is used only when all of them are the
    /// same as when it was taken — the family's merged version order begins with the checkpoint's, every series holds the
    /// same versions among them with the same runs and items (compared value by value), the same metric (threshold
    /// included) and family, no series is gone, and a new series has none of those versions. Otherwise the family is judged
    /// from its first version, so a resumed analysis gives exactly the verdicts of <see cref="Analyze"/> (the unit tests check
    /// every field on seeded histories). No confirmation source: the re-runs it would give depend on more than the series.
    /// </summary>
    public ResumableAnalysis AnalyzeResumable(IReadOnlyList<SeriesInput> series, EngineCheckpoint? from = null) =>
        Run(series, confirmation: null, from, keep: true);

    private ResumableAnalysis Run(IReadOnlyList<SeriesInput> series, IConfirmationSource? confirmation, EngineCheckpoint? from, bool keep)
    {
        ArgumentNullException.ThrowIfNull(series);
        var results = new SeriesVerdict[series.Count];
        var families = series
            .Select((s, index) => (Series: s, Index: index))
            .GroupBy(x => x.Series.Family is { } family ? "family:" + family : "series:" + x.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var checkpoints = new Dictionary<string, FamilyCheckpoint>(StringComparer.Ordinal);
        var resumed = 0;
        foreach (var family in families)
        {
            var inputs = family.Select(x => x.Series).ToList();
            var previous = from is not null && from.Options == Options ? from.Families.GetValueOrDefault(family.Key) : null;
            var (states, checkpoint, skipped) = JudgeFamily(inputs, confirmation, previous, keep);
            resumed += skipped;
            if (checkpoint is not null)
            {
                checkpoints[family.Key] = checkpoint;
            }

            foreach (var (state, index) in states.Zip(family.Select(x => x.Index)))
            {
                results[index] = state.Verdict();
            }
        }

        return new ResumableAnalysis(results, new EngineCheckpoint(Options, checkpoints)) { VersionsResumed = resumed };
    }

    private (List<SeriesState> States, FamilyCheckpoint? Checkpoint, int Resumed) JudgeFamily(
        List<SeriesInput> inputs, IConfirmationSource? confirmation, FamilyCheckpoint? from, bool keep)
    {
        var states = inputs.Select(s => new SeriesState(s, Options)).ToList();
        foreach (var state in states)
        {
            state.Validate();
        }

        // The family's versions merged from its series' orders (a version a series lacks is placed after the one
        // before it in a series that has it); a series missing a version simply sits that one out.
        var order = new List<string>();
        foreach (var state in states)
        {
            var after = -1;
            foreach (var version in state.Series.Versions.Select(v => v.Version))
            {
                var at = order.IndexOf(version);
                if (at < 0)
                {
                    at = after + 1;
                    order.Insert(at, version);
                }

                after = Math.Max(after, at);
            }
        }

        var start = 0;
        FamilyCheckpoint? checkpoint = null;
        if (from is not null && from.Restore(inputs, order, Options) is { } restored)
        {
            states = restored;
            start = from.Order.Count;
            // Nothing new before the newest version: the same checkpoint holds for the next analysis.
            checkpoint = start == order.Count - 1 ? from : null;
        }

        // Only the comparison the caller asked about (the newest version) can be one-shot: in a history every earlier
        // version was one more check of the monitor.
        var oneShot = (Options.Level ?? (order.Count == 2 ? DecisionLevel.OneShot : DecisionLevel.Monitor)) == DecisionLevel.OneShot;
        for (var i = start; i < order.Count; i++)
        {
            var version = order[i];
            if (keep && i == order.Count - 1)
            {
                checkpoint ??= FamilyCheckpoint.Take(order.Take(i).ToList(), states);
            }

            var cells = states.Where(s => s.Has(version)).ToList();
            var level = oneShot && version == order[^1] ? DecisionLevel.OneShot : DecisionLevel.Monitor;
            foreach (var cell in cells)
            {
                cell.Advance(version, level);
            }

            // Benjamini-Hochberg over the cells whose test can be rejected at all (BenjaminiHochberg.Testable): a cell
            // whose smallest attainable p-value is above the FDR (runs that all tie) cannot pass and does not count.
            var judged = cells.Where(c => c.Gate is not null).ToList();
            var testable = BenjaminiHochberg.Testable(judged.Select(c => c.Gate!.Floor).ToArray(), Options.FalseDiscoveryRate);
            var family = judged.Where((_, k) => testable[k]).ToList();
            var qWorse = BenjaminiHochberg.Adjust(family.Select(c => c.Gate!.PWorse).ToArray());
            var qBetter = BenjaminiHochberg.Adjust(family.Select(c => c.Gate!.PBetter).ToArray());
            for (var j = 0; j < family.Count; j++)
            {
                family[j].Decide(qWorse[j], qBetter[j], family.Count, confirmation);
            }

            foreach (var cell in judged.Where((_, k) => !testable[k]))
            {
                cell.Decide(1, 1, Math.Max(1, family.Count), confirmation);
            }

            foreach (var cell in cells)
            {
                cell.LookForChangePoints();
            }
        }

        return (states, keep && order.Count > 0 ? checkpoint : null, start);
    }
}

/// <summary>What <see cref="RegressionEngine.AnalyzeResumable"/> found, and the checkpoint to resume the next analysis from.</summary>
public sealed record ResumableAnalysis(IReadOnlyList<SeriesVerdict> Verdicts, EngineCheckpoint Checkpoint)
{
    /// <summary>Versions (summed over families) taken from the checkpoint given instead of judged again: 0 when judged from scratch.</summary>
    public int VersionsResumed { get; init; }
}

/// <summary>
/// Each family's state after every version but its newest, as <see cref="RegressionEngine.AnalyzeResumable"/> left it:
/// opaque, immutable (a resumed analysis works on copies), valid only for the engine options it was taken with.
/// </summary>
public sealed class EngineCheckpoint
{
    internal EngineCheckpoint(RegressionEngineOptions options, IReadOnlyDictionary<string, FamilyCheckpoint> families)
    {
        Options = options;
        Families = families;
    }

    internal RegressionEngineOptions Options { get; }

    internal IReadOnlyDictionary<string, FamilyCheckpoint> Families { get; }

    /// <summary>The versions the checkpoint holds, summed over families.</summary>
    public int Versions => Families.Values.Sum(f => f.Order.Count);
}

/// <summary>One family's series states after the versions in <see cref="Order"/>, with the inputs they were judged on.</summary>
internal sealed class FamilyCheckpoint
{
    private readonly Dictionary<string, SeriesState> _states;

    private FamilyCheckpoint(IReadOnlyList<string> order, Dictionary<string, SeriesState> states)
    {
        Order = order;
        _states = states;
    }

    public IReadOnlyList<string> Order { get; }

    public static FamilyCheckpoint? Take(IReadOnlyList<string> order, IReadOnlyList<SeriesState> states)
    {
        var byId = new Dictionary<string, SeriesState>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            if (!byId.TryAdd(state.Series.Id, state.Copy(state.Series)))
            {
                return null; // ids must tell the series apart for a resume to find each one's state
            }
        }

        return new FamilyCheckpoint(order, byId);
    }

    /// <summary>
    /// Copies of the states for <paramref name="inputs"/> (in their order) when the checkpoint applies to them — see
    /// <see cref="RegressionEngine.AnalyzeResumable"/> — else null.
    /// </summary>
    public List<SeriesState>? Restore(IReadOnlyList<SeriesInput> inputs, IReadOnlyList<string> order, RegressionEngineOptions options)
    {
        if (Order.Count >= order.Count || !order.Take(Order.Count).SequenceEqual(Order, StringComparer.Ordinal))
        {
            return null;
        }

        var prefix = new HashSet<string>(Order, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var matched = 0;
        var restored = new List<SeriesState>(inputs.Count);
        foreach (var input in inputs)
        {
            if (!seen.Add(input.Id))
            {
                return null;
            }

            if (!_states.TryGetValue(input.Id, out var state))
            {
                // A series new since: judged from its first version, which must come after the checkpoint's.
                if (input.Versions.Any(v => prefix.Contains(v.Version)))
                {
                    return null;
                }

                restored.Add(new SeriesState(input, options));
                continue;
            }

            if (state.Series.Metric != input.Metric || !string.Equals(state.Series.Family, input.Family, StringComparison.Ordinal)
                || !SamePrefix(state.Series, input, prefix))
            {
                return null;
            }

            restored.Add(state.Copy(input));
            matched++;
        }

        // Every series of the checkpoint is still there (ids are unique on both sides).
        return matched == _states.Count ? restored : null;
    }

    /// <summary>True when both series hold the same versions among <paramref name="prefix"/>, in the same order, with the same values.</summary>
    private static bool SamePrefix(SeriesInput before, SeriesInput now, HashSet<string> prefix)
    {
        var old = before.Versions.Where(v => prefix.Contains(v.Version)).ToList();
        var current = now.Versions.Where(v => prefix.Contains(v.Version)).ToList();
        return old.Count == current.Count && old.Zip(current).All(p => SameSample(p.First, p.Second));
    }

    private static bool SameSample(VersionSample a, VersionSample b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (!string.Equals(a.Version, b.Version, StringComparison.Ordinal) || !SameValues(a.Runs, b.Runs))
        {
            return false;
        }

        if (ReferenceEquals(a.Items, b.Items))
        {
            return true;
        }

        if ((a.Items?.Count ?? 0) != (b.Items?.Count ?? 0) || (a.Items is null) != (b.Items is null))
        {
            return false;
        }

        // Same keys in the same enumeration order: Observations pools items in that order.
        return a.Items is null || a.Items.Zip(b.Items!).All(p => string.Equals(p.First.Key, p.Second.Key, StringComparison.Ordinal) && SameValues(p.First.Value, p.Second.Value));
    }

    /// <summary>Bit-for-bit equal values (NaN never occurs: the engine rejects non-finite values).</summary>
    private static bool SameValues(IReadOnlyList<double>? a, IReadOnlyList<double>? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (BitConverter.DoubleToInt64Bits(a[i]) != BitConverter.DoubleToInt64Bits(b[i]))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The engine's tunables; the defaults are the ones the evaluation program measured (README, "Regression detection quality").</summary>
public sealed record RegressionEngineOptions
{
    /// <summary>False-discovery rate across the cells (benchmark × metric) of one version comparison.</summary>
    public double FalseDiscoveryRate { get; init; } = 0.05;

    /// <summary>
    /// The budget the newest version is judged under; null: by the input — a family of exactly two versions is a one-shot
    /// comparison, a longer history is monitored.
    /// </summary>
    public DecisionLevel? Level { get; init; }

    /// <summary>The raw one-sided p-value a gate alert needs besides its q-value: it keeps false events per version check rare.</summary>
    public double AlertLevel { get; init; } = 1e-3;

    /// <summary>A screen this close (with half the threshold) is re-run or watched for the next version.</summary>
    public double ScreenLevel { get; init; } = 0.01;

    /// <summary>What fresh runs (re-runs, or the next version) must reach on their own to count as reproducing a screen.</summary>
    public double ReplicationLevel { get; init; } = 0.05;

    /// <summary>What the pooled runs must reach to confirm a screen, and the runs after a change point against those before it.</summary>
    public double ConfirmLevel { get; init; } = 2e-4;

    /// <summary>
    /// Interleaved pairs (candidate, baseline) per confirmation round, as the service asks the Runner for them
    /// (<c>ConfirmationRunsRequested.InterleavedPairs</c>).
    /// </summary>
    public int ConfirmationPairs { get; init; } = 2;

    /// <summary>Rounds of interleaved confirmation runs per screen, as the service runs them (<c>ExecutionScoredConsumer.MaxConfirmationRounds</c>).</summary>
    public int MaxConfirmationRounds { get; init; } = 3;

    /// <summary>The most runs a confirmation round asks for per side: the Runner's iteration limit (<c>RunLimits.MaxIterations</c>).</summary>
    public int MaxConfirmationPasses { get; init; } = 100;

    /// <summary>Power at which minimum detectable effects are stated.</summary>
    public double Power { get; init; } = 0.8;

    /// <summary>The baseline's cap: the newest runs of the stable segment, about 12 versions × 5 runs.</summary>
    public int MaxBaselineRuns { get; init; } = 60;

    /// <summary>
    /// However many runs they hold, the baseline keeps at least this many versions (when the segment has them), so that
    /// the spread between versions — a batch effect — can be seen and accounted for.
    /// </summary>
    public int MinBaselineVersions { get; init; } = 6;

    /// <summary>Otava's settings for the change-point pass over per-version locations.</summary>
    public EDivisiveOptions ChangePoints { get; init; } = new(WindowLength: 50, MaxPValue: 1e-4, MinMagnitude: 0.0) { OtavaCompatible = false };

    /// <summary>The fewest versions the stable segment (the versions since the last confirmed change) needs before change points are looked for in it.</summary>
    public int MinimumVersionsForChangePoints { get; init; } = 6;

    /// <summary>Suggestions for more runs stop here: beyond it the answer is "this metric is too noisy to gate".</summary>
    public int MaxAdditionalRuns { get; init; } = 1000;
}
