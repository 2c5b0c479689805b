namespace BenchMesh.Statistics.Engine;

/// <summary>Which way a metric gets better.</summary>
public enum MetricDirection
{
    LowerIsBetter,
    HigherIsBetter,
}

/// <summary>
/// How a metric's values are compared: <see cref="Log"/> for multiplicative, skewed metrics (latency, cost, tokens;
/// effects are ratios), <see cref="Proportion"/> for rates in [0, 1] (accuracy, reliability; effects are points),
/// <see cref="Linear"/> for anything else (effects are differences).
/// </summary>
public enum MetricScale
{
    Log,
    Proportion,
    Linear,
}

/// <summary>
/// A metric as the engine judges it. <see cref="Threshold"/> is the practical threshold: the smallest effect that
/// matters, relative on the log scale (0.03 = 3 %), in proportion points on the proportion scale (0.01 = 1 point),
/// absolute on the linear scale.
/// </summary>
public sealed record MetricDefinition(string Name, MetricDirection Direction, MetricScale Scale, double Threshold);

/// <summary>
/// One version's observations of one metric: per-run aggregates (<see cref="Runs"/>), and, where the metric is
/// scored per dataset item, per-item outcomes by item id (<see cref="Items"/>: one value per run, e.g. 1/0 for a
/// correct/incorrect answer). Either may be absent; with items only, per-run values are derived from them.
/// </summary>
public sealed record VersionSample(
    string Version,
    IReadOnlyList<double>? Runs = null,
    IReadOnlyDictionary<string, IReadOnlyList<double>>? Items = null);

/// <summary>
/// The history of one metric of one benchmark across versions, oldest first. Series with the same
/// <see cref="Family"/> form one version comparison for multiple-testing control.
/// </summary>
public sealed record SeriesInput(string Id, string? Family, MetricDefinition Metric, IReadOnlyList<VersionSample> Versions);

/// <summary>The engine's answer about a version.</summary>
public enum Verdict
{
    Regressed,
    Improved,
    NoChange,
    Inconclusive,
}

/// <summary>
/// The error budget a verdict answers to. <see cref="OneShot"/>: one comparison of a candidate with its baseline (a CI
/// gate, two versions side by side), decided at Benjamini-Hochberg 5 % across its cells with the practical threshold —
/// of the cells it calls regressed, at most 5 % are expected to be false. <see cref="Monitor"/>: a history judged version
/// after version, where every new version is one more check, so the level is far stricter (at most 0.3 false events per
/// 100 version checks) and borderline versions wait for confirmation.
/// </summary>
public enum DecisionLevel
{
    OneShot,
    Monitor,
}

/// <summary>How a regression was found: the version-vs-baseline gate, a confirmation on more runs, or a change point in the history.</summary>
public enum AlertPath
{
    Gate,
    Confirm,
    ChangePoint,
}

/// <summary>How bad a regression is, relative to its metric's practical threshold.</summary>
public enum Severity
{
    Minor,
    Major,
    Critical,
}

/// <summary>
/// An effect with its interval: relative change (candidate / baseline − 1) on the log scale, difference in points
/// (candidate − baseline) on the proportion scale, difference on the linear scale. Signs are raw, not direction-adjusted.
/// </summary>
public sealed record EffectInterval(double Estimate, double Lower, double Upper);

/// <summary>
/// A regression raised while judging <see cref="AtVersion"/>; <see cref="BlamedVersion"/> is the version the
/// change is attributed to (the same one for the gate, an earlier one for a late confirmation or a change point).
/// </summary>
public sealed record Alert(
    string AtVersion,
    string BlamedVersion,
    AlertPath Path,
    EffectInterval Effect,
    double PValue,
    double QValue,
    Severity Severity,
    int CandidateRuns,
    int BaselineRuns,
    string BaselineFromVersion)
{
    /// <summary>The budget the alert was raised under.</summary>
    public DecisionLevel DecisionLevel { get; init; } = DecisionLevel.Monitor;

    /// <summary>What <see cref="CandidateRuns"/> and <see cref="BaselineRuns"/> count: "runs", or "items" for a paired test.</summary>
    public string CountUnit { get; init; } = "runs";

    /// <summary>The confidence of <see cref="Effect"/>'s interval (<see cref="SeriesVerdict.IntervalConfidence"/>).</summary>
    public double IntervalConfidence { get; init; } = 0.95;
}

/// <summary>
/// The verdict on one series' last version, every alert raised along the way, and — when the verdict is
/// inconclusive or a screen is borderline — the minimum detectable effect at the current number of runs and
/// how many more runs would settle it.
/// </summary>
public sealed record SeriesVerdict(
    string Id,
    Verdict Verdict,
    string Version,
    IReadOnlyList<Alert> Alerts,
    EffectInterval? Effect,
    double? PValue,
    double? QValue,
    double? MinimumDetectableEffect,
    int? AdditionalRunsNeeded,
    string? Reason)
{
    /// <summary>The budget the verdict answers to.</summary>
    public DecisionLevel DecisionLevel { get; init; } = DecisionLevel.Monitor;

    /// <summary>
    /// The confidence of <see cref="Effect"/>'s interval: 0.95 at the monitor level; 0.90 at the one-shot level, whose
    /// one-sided decision at 5 % its bounds match (each is a one-sided 95 % bound); less when the runs are too few for a
    /// distribution-free interval that wide (3 runs against 3: 0.90 at most).
    /// </summary>
    public double IntervalConfidence { get; init; } = 0.95;

    /// <summary>
    /// A monitor-level screen not yet confirmed (worse at the screening level with at least half the threshold, short of an
    /// alert): the one kind of monitor verdict whose confirmation runs the Regression service asks for. Other inconclusive
    /// monitor verdicts still state the runs that would settle them, for the reader, but are not re-run.
    /// </summary>
    public bool Borderline { get; init; }
}

/// <summary>
/// One round of interleaved confirmation runs, made the way the Regression service asks the Runner for them
/// (<c>ConfirmationRunsRequested</c>): pairs of runs, the candidate then its baseline version, A B A B, each run started
/// when the one before it has finished, so that whatever the testbed or the moment does to one side it does to the other.
/// <see cref="Candidate"/> and <see cref="Baseline"/> hold one list of per-pass values per run, in the order they were made.
/// </summary>
public sealed record InterleavedRound(IReadOnlyList<IReadOnlyList<double>> Candidate, IReadOnlyList<IReadOnlyList<double>> Baseline);

/// <summary>
/// Re-runs a screened version interleaved with its baseline version when the monitor asks for confirmation (the service
/// re-runs the benchmark through the Runner; the evaluation program draws from its generator). Returns null when no
/// re-runs can be had.
/// </summary>
public interface IConfirmationSource
{
    /// <summary>
    /// Round <paramref name="round"/> (1, 2, ...) of interleaved runs of version <paramref name="candidateIndex"/> and
    /// version <paramref name="baselineIndex"/> of <paramref name="series"/>: <paramref name="pairs"/> pairs of runs,
    /// each of <paramref name="passesPerRun"/> passes.
    /// </summary>
    InterleavedRound? Interleave(SeriesInput series, int candidateIndex, int baselineIndex, int pairs, int passesPerRun, int round);
}
