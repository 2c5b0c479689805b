using BenchMesh.Statistics.Procedures;

namespace BenchMesh.Statistics.Engine;

/// <summary>One series being judged online: its versions so far, the stable segment, what is pending, what was raised.</summary>
internal sealed class SeriesState(SeriesInput series, RegressionEngineOptions options)
{
    private readonly List<Observations> _observations = [];
    private readonly List<double> _locations = [];
    private readonly List<Alert> _alerts = [];
    private int _segmentStart;
    private int? _pending;
    private Observations? _pendingBaseline;
    private Observations? _pendingEvidence;
    private List<int> _segmentVersions = [];
    private List<int> _baselineVersions = [];

    // The current version's baseline and stable segment, pooled once (AddVersion) for every comparison made with them.
    private Observations _baseline = new();
    private Observations _segment = new();
    private Judgement? _last;

    public SeriesInput Series { get; } = series;

    private MetricDefinition Metric => Series.Metric;

    private int Current => _observations.Count - 1;

    /// <summary>The gate comparison of the current version against its baseline; null for the first version of a segment-less history.</summary>
    public Comparison? Gate { get; private set; }

    /// <summary>
    /// A copy of this state for <paramref name="series"/> (the same series' input, possibly with versions added after the
    /// ones judged): everything a later version changes is copied; the pooled observations and comparisons, which are never
    /// changed once made, are shared.
    /// </summary>
    public SeriesState Copy(SeriesInput series)
    {
        var copy = new SeriesState(series, options)
        {
            _segmentStart = _segmentStart,
            _pending = _pending,
            _pendingBaseline = _pendingBaseline,
            _pendingEvidence = _pendingEvidence,
            _segmentVersions = [.. _segmentVersions],
            _baselineVersions = [.. _baselineVersions],
            _baseline = _baseline,
            _segment = _segment,
            _last = _last?.Copy(),
            Gate = Gate,
            _level = _level,
        };
        copy._observations.AddRange(_observations);
        copy._locations.AddRange(_locations);
        copy._alerts.AddRange(_alerts);
        copy._versionNames.AddRange(_versionNames);
        return copy;
    }

    public void Validate()
    {
        MetricRegistry.Validate(Metric);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var version in Series.Versions)
        {
            if (!names.Add(version.Version))
            {
                throw new ArgumentException($"Series '{Series.Id}' lists version '{version.Version}' twice.");
            }

            var runs = version.Runs?.Count ?? 0;
            var items = version.Items?.Count ?? 0;
            if (runs == 0 && items == 0)
            {
                throw new ArgumentException($"Series '{Series.Id}', version '{version.Version}': no runs and no items.");
            }

            var values = (version.Runs ?? []).Concat(version.Items?.Values.SelectMany(v => v) ?? []);
            if (values.Any(v => !double.IsFinite(v)))
            {
                throw new ArgumentException($"Series '{Series.Id}', version '{version.Version}': every value must be a finite number.");
            }
        }
    }

    public bool Has(string version) => Series.Versions.Any(v => string.Equals(v.Version, version, StringComparison.Ordinal));

    /// <summary>Takes in the next version and compares it with the baseline (the gate's comparison; the decision comes after BH).</summary>
    public void Advance(string version, DecisionLevel level)
    {
        _level = level;
        var sample = Series.Versions.First(v => string.Equals(v.Version, version, StringComparison.Ordinal));
        var observations = Observations.Of([sample]);
        _versionNames.Add(sample.Version);
        _observations.Add(observations);
        _locations.Add(Location(observations));
        _last = new Judgement(Current, level);

        _segmentVersions = SegmentVersions(exclude: null);
        _baselineVersions = CapToNewest(_segmentVersions);
        _baseline = Pool(_baselineVersions);
        _segment = Pool(_segmentVersions);
        Gate = _baselineVersions.Count == 0 ? null : Compare(observations, _baseline, _segment);
    }

    /// <summary>
    /// Decides the current version given its q-values: confirms a pending screen, raises a gate or confirmation alert,
    /// or marks it borderline, improved or inconclusive.
    /// </summary>
    public void Decide(double qWorse, double qBetter, int cells, IConfirmationSource? confirmation)
    {
        var gate = Gate!;
        var judgement = _last!;
        judgement.Comparison = gate;
        judgement.QValue = qWorse;
        var threshold = Metric.Threshold;
        if (_level == DecisionLevel.OneShot)
        {
            DecideOneShot(qWorse, qBetter, cells);
            return;
        }

        if (_pending is { } pending && pending == Current - 1 && ConfirmPending(pending))
        {
            return;
        }

        _pending = null;
        var strong = qWorse <= options.FalseDiscoveryRate && gate.PWorse <= options.AlertLevel && gate.Worsening >= threshold && RulesOutNoWorsening(gate);
        var borderline = !strong && gate.PWorse <= options.ScreenLevel && gate.Worsening >= threshold / 2;
        if ((strong || borderline) && confirmation is not null && CanRerun() && Current > 0
            && ConfirmInterleaved(confirmation, gate) is { } confirmed)
        {
            judgement.Comparison = confirmed.Comparison;
            if (confirmed.Verdict == Engine.Verdict.Regressed)
            {
                Raise(strong ? AlertPath.Gate : AlertPath.Confirm, Current, confirmed.Comparison, confirmed.Comparison.PWorse);
            }
            else if (confirmed.Verdict == Engine.Verdict.Inconclusive)
            {
                // Undecided after the last round. Only a screen the interleaved runs reproduced (its pooled evidence still
                // short of the monitor level) stays borderline, so that the next version may still confirm it (as the
                // service's history, which does not see confirmation runs, does). Runs that did not reproduce it are the
                // better evidence on this version: pooling its original runs with the next version's would let one high
                // version (a transient, a batch) confirm a screen its own re-runs did not bear out.
                if (confirmed.Reproduced)
                {
                    SetPending(_baseline, _segment);
                }

                judgement.AdditionalRunsNeeded = confirmed.AdditionalRunsNeeded;
            }

            // Improved or no change: the interleaved runs did not reproduce the screen (a transient, or a batch offset
            // between the original runs), and nothing is pending.
            return;
        }

        if (strong)
        {
            Raise(AlertPath.Gate, Current, gate, qWorse);
            return;
        }

        if (borderline)
        {
            SetPending(_baseline, _segment);
            judgement.AdditionalRunsNeeded = RunsToSettle(gate);
            return;
        }

        judgement.Improved = qBetter <= options.FalseDiscoveryRate && gate.PBetter <= options.AlertLevel && -gate.Worsening >= threshold && RulesOutNoImprovement(gate);
        var level = Math.Min(options.AlertLevel, BenjaminiHochberg.CriticalValue(1, cells, options.FalseDiscoveryRate));
        judgement.CannotPass = gate.Floor > level;
        if (judgement.CannotPass)
        {
            judgement.AdditionalRunsNeeded = RunsToReachFloor(gate, level);
        }
        else if (!judgement.Improved && !RulesOutThreshold(gate))
        {
            judgement.AdditionalRunsNeeded = RunsToSettle(gate);
        }
    }

    /// <summary>
    /// One comparison, decided on the data at hand at the one-shot level: regressed when the cell's q-value (BH across the
    /// comparison's cells) is within the false-discovery rate and the estimated worsening reaches the practical threshold;
    /// improved the other way; otherwise no change when the interval rules the threshold out, else inconclusive with the
    /// runs that would settle it. Nothing is pending: there is no next version to wait for (the service re-runs the
    /// version instead, and the pooled runs are judged again).
    /// </summary>
    private void DecideOneShot(double qWorse, double qBetter, int cells)
    {
        var gate = Gate!;
        var judgement = _last!;
        var threshold = Metric.Threshold;
        _pending = null;
        if (qWorse <= options.FalseDiscoveryRate && gate.Worsening >= threshold && RulesOutNoWorsening(gate))
        {
            Raise(AlertPath.Gate, Current, gate, qWorse);
            return;
        }

        judgement.Improved = qBetter <= options.FalseDiscoveryRate && -gate.Worsening >= threshold && RulesOutNoImprovement(gate);
        var level = BenjaminiHochberg.CriticalValue(1, cells, options.FalseDiscoveryRate);
        judgement.CannotPass = gate.Floor > level;
        if (judgement.CannotPass)
        {
            judgement.AdditionalRunsNeeded = RunsToReachFloor(gate, level);
        }
        else if (!judgement.Improved && !RulesOutThreshold(gate))
        {
            judgement.AdditionalRunsNeeded = RunsToSettle(gate);
        }
    }

    /// <summary>
    /// Confirms a screen the way the Regression service does (docs/regression.md, "Confirmation in the service"): rounds
    /// of interleaved runs, the candidate and the version before it (A B A B, <see cref="RegressionEngineOptions.ConfirmationPairs"/>
    /// pairs). A regression needs both:
    /// <list type="bullet">
    /// <item>the confirming runs alone — the history's runs left out, so an offset between the original runs cannot pass as a
    /// regression — as a two-version comparison at the one-shot level: p ≤ the false-discovery rate (one cell: BH is the raw
    /// p), the worsening at the threshold, the interval clear of 0;</item>
    /// <item>the pooled evidence at the monitor level: the candidate's own runs and its re-runs (a batch per round) against
    /// the history's baseline, p ≤ <see cref="RegressionEngineOptions.AlertLevel"/> with the threshold. The confirming
    /// runs alone answer to one comparison's 5 %, too loose for a check repeated at every version of a history: every
    /// screen would then become an alert one time in twenty, and a batch model's screens are frequent.</item>
    /// </list>
    /// A round still inconclusive that more runs would settle (or reproduced with the pooled evidence still short) asks for
    /// another, all rounds pooled, up to <see cref="RegressionEngineOptions.MaxConfirmationRounds"/>.
    /// The first round asks for the runs that would settle the screen, or, when those are none or cannot be said, as many
    /// runs as the version has. Null when the source has no runs.
    /// </summary>
    private ConfirmationOutcome? ConfirmInterleaved(IConfirmationSource source, Comparison gate)
    {
        var candidateIndex = SeriesIndexOf(Current);
        var baselineIndex = SeriesIndexOf(Current - 1);
        var needed = RunsToSettle(gate) is { } settle && settle > 0 ? settle : _observations[Current].RunCount;
        var candidate = new List<double>();
        var baseline = new List<double>();
        // The pooled evidence: the candidate's own runs and its re-runs (each round a batch of its own: another moment)
        // against the history's baseline, judged at the monitor's level.
        var pooledCandidate = new Observations();
        pooledCandidate.Merge(_observations[Current]);
        ConfirmationOutcome? outcome = null;
        for (var round = 1; round <= options.MaxConfirmationRounds; round++)
        {
            var passes = Math.Max(2, (Math.Min(needed, options.MaxConfirmationPasses) + options.ConfirmationPairs - 1) / options.ConfirmationPairs);
            var runs = source.Interleave(Series, candidateIndex, baselineIndex, options.ConfirmationPairs, passes, round);
            if (runs is null || runs.Candidate.Sum(r => r.Count) == 0 || runs.Baseline.Sum(r => r.Count) == 0)
            {
                return outcome;
            }

            // Pooled per side into one batch, as the service pools a version's executions: the pairs were made side by side,
            // so whatever offset a moment gives one side it gives the other.
            candidate.AddRange(runs.Candidate.SelectMany(r => r));
            baseline.AddRange(runs.Baseline.SelectMany(r => r));
            var candidateRuns = Observations.Of([new VersionSample(VersionName(Current), candidate.ToArray())]);
            var baselineRuns = Observations.Of([new VersionSample(VersionName(Current - 1), baseline.ToArray())]);
            var comparison = Comparator.Compare(
                Metric, candidateRuns, baselineRuns, options.FalseDiscoveryRate, options.Power, baselineRuns, itemsFixed: true, OneShotIntervalMisrate);
            pooledCandidate.AddRuns(runs.Candidate.SelectMany(r => r));
            var pooled = Compare(pooledCandidate, _baseline, _segment);
            var reproduced = comparison.PWorse <= options.FalseDiscoveryRate && comparison.Worsening >= Metric.Threshold && RulesOutNoWorsening(comparison);
            if (reproduced && pooled.PWorse <= options.AlertLevel && pooled.Worsening >= Metric.Threshold && RulesOutNoWorsening(pooled))
            {
                return new ConfirmationOutcome(Engine.Verdict.Regressed, pooled, null);
            }

            if ((comparison.PBetter <= options.FalseDiscoveryRate && -comparison.Worsening >= Metric.Threshold && RulesOutNoImprovement(comparison))
                || RulesOutThreshold(comparison))
            {
                return new ConfirmationOutcome(Engine.Verdict.NoChange, comparison, null);
            }

            // Reproduced, but the pooled evidence is short of the monitor's level: another round adds to both.
            var more = reproduced ? _observations[Current].RunCount
                : comparison.Floor > options.FalseDiscoveryRate
                ? RunsToReachFloor(comparison, options.FalseDiscoveryRate, options.FalseDiscoveryRate)
                : RunsToSettle(comparison, options.FalseDiscoveryRate);
            outcome = new ConfirmationOutcome(Engine.Verdict.Inconclusive, comparison, more) { Reproduced = reproduced };
            if (more is not > 0)
            {
                break;
            }

            needed = more.Value;
        }

        return outcome;
    }

    private sealed record ConfirmationOutcome(Verdict Verdict, Comparison Comparison, int? AdditionalRunsNeeded)
    {
        /// <summary>The last round's interleaved runs showed the regression at the one-shot level (the pooled evidence fell short).</summary>
        public bool Reproduced { get; init; }
    }

    /// <summary>The index in the series' input of the version judged at position <paramref name="index"/>.</summary>
    private int SeriesIndexOf(int index)
    {
        var name = VersionName(index);
        for (var i = 0; i < Series.Versions.Count; i++)
        {
            if (string.Equals(Series.Versions[i].Version, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Version '{name}' is not in series '{Series.Id}'.");
    }

    /// <summary>
    /// The change-point pass over the per-version locations of the stable segment (the versions since its start); raises
    /// an alert for a new change in the bad direction, and starts a new segment at a change in the good direction.
    /// </summary>
    public void LookForChangePoints()
    {
        // The search starts at the stable segment's start: a change there was already acted on (a regression raised, or an
        // improvement found), and the levels before it are not this segment's. Searched over the whole history, a step
        // after an improvement is a second change E-divisive often cannot split (down, then up to about the old level:
        // no single split is significant), so the step went unseen (docs/regression.md, "Change points since the segment's start").
        var start = Math.Max(_segmentStart, _observations.Count - options.ChangePoints.WindowLength);
        if (_observations.Count - start < options.MinimumVersionsForChangePoints)
        {
            return;
        }

        var window = _locations.Skip(start).ToArray();
        var flagged = Outliers.Hampel(window);
        var cleaned = (double[])window.Clone();
        for (var j = 0; j < window.Length - 1; j++)
        {
            if (flagged[j])
            {
                cleaned[j] = Outliers.MedianOf(window.Skip(Math.Max(0, j - 3)).Take(7).ToList());
            }
        }

        foreach (var changePoint in EDivisive.Detect(cleaned, options.ChangePoints).OrderBy(c => c.Index))
        {
            var k = start + changePoint.Index;
            // A change point is judged again at every version until it is acted on: its evidence grows with each version after it.
            if (k <= _segmentStart || k > Current - 1 || _alerts.Any(a => Math.Abs(IndexOf(a.BlamedVersion) - k) <= 1))
            {
                continue;
            }

            var before = Enumerable.Range(_segmentStart, k - _segmentStart).Where(v => !IsOutlierVersion(v)).ToList();
            var after = Enumerable.Range(k, Current - k + 1).ToList();
            if (before.Count == 0)
            {
                continue;
            }

            // The split is the one E-divisive found to maximise the difference, so this p-value is optimistic: a change
            // point needs the level asked of pooled versions (ConfirmLevel, 2·10⁻⁴), not the gate's 0.001 for one version
            // tested as it comes (since 2026-12-07; docs/regression.md gives what it removed and what it cost).
            var comparison = Compare(Pool(after), Pool(CapToNewest(before)), Pool(before));
            if (comparison.Worsening >= Metric.Threshold && comparison.PWorse <= options.ConfirmLevel && RulesOutNoWorsening(comparison))
            {
                Raise(AlertPath.ChangePoint, k, comparison, changePoint.PValue, pValue: changePoint.PValue);
            }
            else if (-comparison.Worsening >= Metric.Threshold && comparison.PBetter <= options.AlertLevel)
            {
                // An improvement: the new level is the baseline from now on.
                _segmentStart = k;
                _pending = null;
            }
        }
    }

    public SeriesVerdict Verdict()
    {
        var last = _last!;
        var lastVersion = VersionName(last.VersionIndex);
        var comparison = last.Comparison;
        var alertNow = _alerts.LastOrDefault(a => a.AtVersion == lastVersion);
        var oneShot = last.Level == DecisionLevel.OneShot;
        if (alertNow is not null)
        {
            var how = oneShot
                ? FormattableString.Invariant($"one-shot comparison, decided on the data at hand: worse beyond the practical threshold at Benjamini-Hochberg {options.FalseDiscoveryRate:P0} (q = {alertNow.QValue:G2})")
                : Describe(alertNow.Path);
            return new SeriesVerdict(Series.Id, Engine.Verdict.Regressed, lastVersion, _alerts, alertNow.Effect, alertNow.PValue, alertNow.QValue,
                comparison?.MinimumDetectableEffect, null, $"{how}, against {alertNow.BaselineRuns} baseline {alertNow.CountUnit} since {alertNow.BaselineFromVersion}")
            { DecisionLevel = last.Level, IntervalConfidence = alertNow.IntervalConfidence };
        }

        if (comparison is null)
        {
            return new SeriesVerdict(Series.Id, Engine.Verdict.Inconclusive, lastVersion, _alerts, null, null, null, null, null,
                "no baseline yet: the first version of the history") { DecisionLevel = last.Level };
        }

        var (verdict, reason) = true switch
        {
            _ when _pending == last.VersionIndex => (Engine.Verdict.Inconclusive, "borderline: worse than the baseline at the screening level but not yet confirmed"),
            _ when last.Improved => (Engine.Verdict.Improved, "better than the baseline beyond the practical threshold"),
            // Runs that tie (a cost or token count the same on every run) leave the test no p-value to reach, yet their
            // interval can still rule a worsening out: that is an answer, not a lack of runs.
            _ when RulesOutThreshold(comparison) && comparison.EffectMisrate <= IntervalMisrate + 1e-12 =>
                (Engine.Verdict.NoChange, "the interval rules out a worsening as large as the practical threshold"),
            _ when last.CannotPass => (Engine.Verdict.Inconclusive, $"insufficient runs: the smallest p-value this test can reach with {comparison.CandidateCount} vs {comparison.BaselineCount} {comparison.CountUnit} ({comparison.Floor:G3}) is above the level"),
            _ when RulesOutThreshold(comparison) => (Engine.Verdict.NoChange, "the interval rules out a worsening as large as the practical threshold"),
            _ when oneShot && comparison.Worsening >= Metric.Threshold => (Engine.Verdict.Inconclusive,
                FormattableString.Invariant($"worse by more than the practical threshold, but not significant at Benjamini-Hochberg {options.FalseDiscoveryRate:P0} (q = {last.QValue:G2})")),
            _ => (Engine.Verdict.Inconclusive, "no evidence of a change, but the runs cannot rule out one as large as the practical threshold"),
        };
        if (oneShot)
        {
            reason = "one-shot comparison, decided on the data at hand: " + reason;
        }

        return new SeriesVerdict(Series.Id, verdict, lastVersion, _alerts, comparison.Effect, comparison.PWorse, last.QValue,
            comparison.MinimumDetectableEffect, verdict == Engine.Verdict.Inconclusive ? last.AdditionalRunsNeeded : null, reason)
        { DecisionLevel = last.Level, IntervalConfidence = 1 - comparison.EffectMisrate, Borderline = _pending == last.VersionIndex };
    }

    private static string Describe(AlertPath path) => path switch
    {
        AlertPath.Gate => "gate",
        AlertPath.Confirm => "confirmed on more runs",
        _ => "change point in the history",
    };

    private bool ConfirmPending(int pending)
    {
        var baseline = _pendingBaseline!;
        var pooled = Compare(Pool([pending, Current]), baseline, _pendingEvidence);
        var next = Compare(_observations[Current], baseline, _pendingEvidence);
        if (pooled.PWorse <= options.ConfirmLevel && pooled.Worsening >= Metric.Threshold && RulesOutNoWorsening(pooled)
            && next.PWorse <= options.ReplicationLevel && next.Worsening >= Metric.Threshold / 2
            && OneLevel(pending))
        {
            _last!.Comparison = pooled;
            Raise(AlertPath.Confirm, pending, pooled, pooled.PWorse);
            return true;
        }

        _pending = null;
        return false;
    }

    /// <summary>
    /// Pooling a pending screen with the next version claims one new level from the pending version on. The next version
    /// worse than the pending one (p ≤ <see cref="RegressionEngineOptions.ReplicationLevel"/>, beyond the threshold) says
    /// otherwise: the pooled evidence is then the next version's — a single-version transient, one high batch, or a step at
    /// the next version — and a pending screen is not confirmed by it (before 2026-12-07 it was, and the alert blamed the
    /// pending version or, through <see cref="Localize"/>, the transient itself). The next version is then judged on its
    /// own at the gate (re-runs, if any, tell a transient from a step), and a step there is still found, blamed on the next
    /// version, ±1 of the pending one. This acts where a screen waits without re-runs (the service's history, offline);
    /// with re-runs most transients are already told apart by them (docs/regression.md).
    /// </summary>
    private bool OneLevel(int pending)
    {
        var step = Compare(_observations[Current], _observations[pending], _pendingEvidence);
        return !(step.PWorse <= options.ReplicationLevel && step.Worsening >= Metric.Threshold);
    }

    private void SetPending(Observations baseline, Observations evidence)
    {
        _pending = Current;
        _pendingBaseline = baseline;
        _pendingEvidence = evidence;
    }

    private bool CanRerun() => Series.Versions.All(v => v.Items is null || v.Items.Count == 0);

    private void Raise(AlertPath path, int blamed, Comparison comparison, double qValue, double? pValue = null)
    {
        blamed = Localize(blamed);
        var from = _baselineVersions.Count > 0 && path != AlertPath.ChangePoint ? _baselineVersions.Min() : _segmentStart;
        _alerts.Add(new Alert(
            VersionName(Current), VersionName(blamed), path, comparison.Effect, pValue ?? comparison.PWorse, qValue,
            SeverityOf(comparison.Worsening), comparison.CandidateCount, comparison.BaselineCount, VersionName(from))
        { DecisionLevel = _level, CountUnit = comparison.CountUnit, IntervalConfidence = 1 - comparison.EffectMisrate });
        _segmentStart = blamed;
        _pending = null;
    }

    /// <summary>
    /// Where the level moved: the split k near the provisional blame (±<see cref="LocalizationReach"/> versions, after
    /// the segment start) whose versions k..current differ most from all the segment's versions before k, by Student's t
    /// on the run values (log scale where the metric is) in the bad direction — the maximum-likelihood split for one
    /// change in mean (with a pooled variance, t² grows exactly as the within-segment sum of squares shrinks, each run
    /// weighing once). A gate that only fired a version late, or a change point found on per-version locations, is blamed
    /// on the version whose runs show the move.
    /// <para>
    /// A split before the provisional blame also claims that the versions between it and the blame had already moved.
    /// The likelihood alone does not ask that of them: a step at the blamed version drags the best split earlier whenever
    /// the versions just before it happen to sit on the bad side of the segment, and a regression blamed two to six
    /// versions early is a miss and a false event. So an earlier split is taken only when those versions alone, against
    /// the segment before the split, are worse at the monitor level (<see cref="RegressionEngineOptions.AlertLevel"/>,
    /// beyond the practical threshold) — the evidence an alert on them would have needed.
    /// </para>
    /// </summary>
    private int Localize(int provisional)
    {
        var best = provisional;
        var bestT = double.NegativeInfinity;
        for (var k = Math.Max(_segmentStart + 1, provisional - LocalizationReach); k <= Math.Min(Current, provisional + LocalizationReach); k++)
        {
            var before = Enumerable.Range(_segmentStart, k - _segmentStart).Where(v => !IsOutlierVersion(v)).ToList();
            var after = TestValues(Pool(Enumerable.Range(k, Current - k + 1)));
            var baseline = TestValues(Pool(before));
            if (after.Length < 2 || baseline.Length < 2)
            {
                continue;
            }

            var t = StudentTTest.Test(after, baseline).T * (Metric.Direction == MetricDirection.LowerIsBetter ? 1 : -1);
            if (t > bestT && (k >= provisional || MovedAlready(k, provisional, before)))
            {
                bestT = t;
                best = k;
            }
        }

        return best;
    }

    /// <summary>True when versions <paramref name="from"/>..<paramref name="to"/> − 1 alone are worse than the segment before them at the monitor level.</summary>
    private bool MovedAlready(int from, int to, List<int> before)
    {
        var comparison = Compare(Pool(Enumerable.Range(from, to - from)), Pool(CapToNewest(before)), Pool(before));
        return comparison.PWorse <= options.AlertLevel && comparison.Worsening >= Metric.Threshold && RulesOutNoWorsening(comparison);
    }

    private const int LocalizationReach = 3;

    private double[] TestValues(Observations observations)
    {
        var values = observations.RunValues();
        return Metric.Scale == MetricScale.Log && values.All(v => v > 0) ? values.Select(v => Math.Log(v)).ToArray() : values;
    }

    private Severity SeverityOf(double worsening)
    {
        var multiple = worsening / Metric.Threshold;
        return multiple >= 10 ? Severity.Critical : multiple >= 3 ? Severity.Major : Severity.Minor;
    }

    /// <summary>True when the interval's bad-side bound is inside the practical threshold: the data rule out a regression that matters.</summary>
    private bool RulesOutThreshold(Comparison comparison)
    {
        var badBound = Metric.Direction == MetricDirection.LowerIsBetter ? comparison.Effect.Upper : -comparison.Effect.Lower;
        if (Metric.Scale == MetricScale.Log && Metric.Direction == MetricDirection.HigherIsBetter)
        {
            badBound = 1 / (1 + comparison.Effect.Lower) - 1;
        }

        return badBound < Metric.Threshold;
    }

    /// <summary>How many more candidate runs would make the minimum detectable effect as small as the larger of the threshold and the observed worsening.</summary>
    /// <summary>
    /// For a cell whose exact test cannot reach <paramref name="level"/> at these sizes: how many more candidate runs make
    /// the test's smallest p-value (1/C(n + m, n) without ties) reach it and its MDE reach the threshold (or the
    /// observed worsening); null beyond <see cref="RegressionEngineOptions.MaxAdditionalRuns"/>.
    /// </summary>
    private int? RunsToReachFloor(Comparison comparison, double level, double? alpha = null)
    {
        var settle = RunsToSettle(comparison, alpha) ?? 0;
        for (var extra = 1; extra <= options.MaxAdditionalRuns; extra++)
        {
            var n = comparison.CandidateCount + extra;
            var floor = Math.Exp(-MathNet.Numerics.SpecialFunctions.BinomialLn(n + comparison.BaselineCount, n));
            if (floor <= level)
            {
                return Math.Max(extra, settle);
            }
        }

        return null;
    }

    private int? RunsToSettle(Comparison comparison, double? alpha = null)
    {
        var at = alpha ?? Alpha;
        var target = Math.Max(Metric.Threshold, Math.Abs(comparison.Worsening));
        if (comparison.Test == TestKind.BatchMeans)
        {
            return null; // more runs of this version cannot beat a version-to-version offset: more versions (or a steadier testbed) can
        }

        if (comparison.MinimumDetectableEffect <= target || comparison.Sigma <= 0)
        {
            return comparison.MinimumDetectableEffect <= target ? 0 : null;
        }

        var targetInTestUnits = Metric.Scale == MetricScale.Log ? Math.Log(1 + target) : target;
        var paired = comparison.Test is TestKind.McNemar or TestKind.PairedT or TestKind.ItemStratified;
        for (var extra = 1; extra <= options.MaxAdditionalRuns; extra++)
        {
            double mde;
            if (paired)
            {
                // More runs per item shrink the per-item differences' noise roughly as 1/√runs.
                var runsPerItem = Math.Max(1, _observations[Current].RunCount);
                var sd = comparison.Sigma * Math.Sqrt(runsPerItem / (double)(runsPerItem + extra));
                mde = Power.MinimumDetectablePairedShift(sd, comparison.CandidateCount, at, options.Power);
            }
            else
            {
                mde = Power.MinimumDetectableShift(comparison.Sigma, comparison.CandidateCount + extra, comparison.BaselineCount, at, options.Power);
            }

            if (mde <= targetInTestUnits)
            {
                return extra;
            }
        }

        return null;
    }

    /// <summary>Compares with the baseline; <paramref name="evidence"/>, the whole stable segment, sizes a batch effect.</summary>
    private Comparison Compare(Observations candidate, Observations baseline, Observations? evidence = null) =>
        Comparator.Compare(Metric, candidate, baseline, Alpha, options.Power, evidence, itemsFixed: true, IntervalMisrate);

    /// <summary>
    /// The effect interval a verdict reports: at the one-shot level, whose decision is one-sided at the false-discovery rate,
    /// its bounds are the one-sided bounds at that level (a two-sided 90 % interval for 5 %), so a cell called regressed
    /// always has an interval on the bad side of 0; at the monitor level (one-sided p ≤ 0.001) the usual 95 %.
    /// </summary>
    private double IntervalMisrate => _level == DecisionLevel.OneShot ? OneShotIntervalMisrate : Comparator.IntervalMisrate;

    private double OneShotIntervalMisrate => 2 * options.FalseDiscoveryRate;

    /// <summary>
    /// True when the interval's bound nearest "no worsening" is on the bad side of 0. A regression needs it besides its
    /// p-value: where the test and the interval come from different procedures (Welch's p with a Hodges-Lehmann interval,
    /// an exact test's p with a normal interval) or the runs tie, they can disagree, and a regressed verdict whose own
    /// interval holds 0 is not one to act on.
    /// </summary>
    private bool RulesOutNoWorsening(Comparison comparison) => Metric.Direction == MetricDirection.LowerIsBetter
        ? comparison.Effect.Lower > 0
        : comparison.Effect.Upper < 0;

    /// <summary>The same for an improvement: the interval's bound nearest 0 is on the good side.</summary>
    private bool RulesOutNoImprovement(Comparison comparison) => Metric.Direction == MetricDirection.LowerIsBetter
        ? comparison.Effect.Upper < 0
        : comparison.Effect.Lower > 0;

    /// <summary>The one-sided level minimum detectable effects are stated at: the one-shot FDR for a single cell, or the monitor's alert level.</summary>
    private double Alpha => _level == DecisionLevel.OneShot ? options.FalseDiscoveryRate : options.AlertLevel;

    private DecisionLevel _level = DecisionLevel.Monitor;

    /// <summary>The stable segment's versions, leaving out outlying versions and <paramref name="exclude"/>; the baseline is its newest part.</summary>
    private List<int> SegmentVersions(int? exclude) =>
        Enumerable.Range(_segmentStart, Math.Max(0, Current - _segmentStart))
            .Where(v => v != exclude && v != _pending && !IsOutlierVersion(v))
            .ToList();

    private List<int> CapToNewest(List<int> versions)
    {
        var chosen = new List<int>();
        var runs = 0;
        foreach (var v in versions.OrderByDescending(v => v))
        {
            if (runs >= options.MaxBaselineRuns && chosen.Count >= options.MinBaselineVersions)
            {
                break;
            }

            chosen.Add(v);
            runs += _observations[v].RunCount;
        }

        chosen.Sort();
        return chosen;
    }

    /// <summary>A version whose location sits far from its neighbours' on both sides (Hampel, half-window 3): a transient, not a level.</summary>
    private bool IsOutlierVersion(int v)
    {
        if (v >= Current || v == 0)
        {
            return false;
        }

        var from = Math.Max(0, v - 3);
        var to = Math.Min(Current - 1, v + 3);
        if (to - from < 3 || v == to)
        {
            return false;
        }

        var window = _locations.Skip(from).Take(to - from + 1).ToArray();
        return Outliers.Hampel(window, halfWindow: 3)[v - from];
    }

    private Observations Pool(IEnumerable<int> versions)
    {
        var pooled = new Observations();
        foreach (var v in versions)
        {
            pooled.Merge(_observations[v]);
        }

        return pooled;
    }

    private string VersionName(int index) => _versionNames[index];

    private readonly List<string> _versionNames = [];

    private int IndexOf(string version) => _versionNames.IndexOf(version);

    /// <summary>A version's location for the change-point pass: the Hodges-Lehmann centre of its (log) run values.</summary>
    private double Location(Observations observations)
    {
        var values = observations.RunValues();
        if (Metric.Scale == MetricScale.Log && values.All(v => v > 0))
        {
            values = values.Select(v => Math.Log(v)).ToArray();
        }

        return values.Length == 1 ? values[0] : HodgesLehmann.Center(values, 0.5).Estimate;
    }

    private sealed class Judgement(int versionIndex, DecisionLevel level)
    {
        public int VersionIndex { get; } = versionIndex;

        public DecisionLevel Level { get; } = level;

        public Comparison? Comparison { get; set; }

        public double? QValue { get; set; }

        public bool Improved { get; set; }

        public bool CannotPass { get; set; }

        public int? AdditionalRunsNeeded { get; set; }

        public Judgement Copy() => new(VersionIndex, Level)
        {
            Comparison = Comparison,
            QValue = QValue,
            Improved = Improved,
            CannotPass = CannotPass,
            AdditionalRunsNeeded = AdditionalRunsNeeded,
        };
    }
}
