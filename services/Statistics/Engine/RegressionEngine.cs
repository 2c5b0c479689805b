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
/// per-version locations of the last 50 versions, single-version outliers replaced first (Hampel): a slow drift or a
/// shift the gate missed is found late but blamed on the right version.</item>
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
    public IReadOnlyList<SeriesVerdict> Analyze(IReadOnlyList<SeriesInput> series, IConfirmationSource? confirmation = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var results = new SeriesVerdict[series.Count];
        var families = series
            .Select((s, index) => (Series: s, Index: index))
            .GroupBy(x => x.Series.Family is { } family ? "family:" + family : "series:" + x.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        foreach (var family in families)
        {
            var states = family.Select(x => new SeriesState(x.Series, Options)).ToList();
            JudgeFamily(states, confirmation);
            foreach (var (state, index) in states.Zip(family.Select(x => x.Index)))
            {
                results[index] = state.Verdict();
            }
        }

        return results;
    }

    private void JudgeFamily(List<SeriesState> states, IConfirmationSource? confirmation)
    {
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

        // Only the comparison the caller asked about (the newest version) can be one-shot: in a history every earlier
        // version was one more check of the monitor.
        var oneShot = (Options.Level ?? (order.Count == 2 ? DecisionLevel.OneShot : DecisionLevel.Monitor)) == DecisionLevel.OneShot;
        foreach (var version in order)
        {
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
            var family = judged.Where((_, i) => testable[i]).ToList();
            var qWorse = BenjaminiHochberg.Adjust(family.Select(c => c.Gate!.PWorse).ToArray());
            var qBetter = BenjaminiHochberg.Adjust(family.Select(c => c.Gate!.PBetter).ToArray());
            for (var i = 0; i < family.Count; i++)
            {
                family[i].Decide(qWorse[i], qBetter[i], family.Count, confirmation);
            }

            foreach (var cell in judged.Where((_, i) => !testable[i]))
            {
                cell.Decide(1, 1, Math.Max(1, family.Count), confirmation);
            }

            foreach (var cell in cells)
            {
                cell.LookForChangePoints();
            }
        }
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

    /// <summary>What the pooled runs must reach to confirm a screen.</summary>
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

    /// <summary>The fewest versions a history needs before change points are looked for.</summary>
    public int MinimumVersionsForChangePoints { get; init; } = 6;

    /// <summary>Suggestions for more runs stop here: beyond it the answer is "this metric is too noisy to gate".</summary>
    public int MaxAdditionalRuns { get; init; } = 1000;
}
