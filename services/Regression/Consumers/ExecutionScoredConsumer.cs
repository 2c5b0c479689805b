using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchMesh.Contracts.Regression;
using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.ServiceDefaults;
using BenchMesh.Statistics.Engine;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Regression.Consumers;

/// <summary>Settings of the regressions raised as executions arrive (section <c>Regression</c>).</summary>
public sealed class RegressionOptions
{
    /// <summary>
    /// Practical thresholds by metric, overriding the registry's (relative on log metrics — latency, cost, tokens —
    /// points on proportions — accuracy, error rate), e.g. <c>Regression:Thresholds:latency_ms = 0.05</c>.
    /// </summary>
    public Dictionary<string, double> Thresholds { get; set; } = [];

    /// <summary>
    /// The executions (rows of <c>version_results</c>) the process keeps in memory across judgements, over all agents
    /// (AgentHistoryCache: without their JSON, with the pooled runs and the engine's checkpoint — a few hundred bytes
    /// per execution plus its runs and item outcomes); the least recently judged agents go first. 0: every judgement
    /// reads and judges the agent's whole history.
    /// </summary>
    public int HistoryCacheExecutions { get; set; } = 250_000;

    /// <summary>
    /// How many executions a process judges at once (0: half its cores, at least one). A judgement is single-threaded
    /// CPU work, seconds long on a long history: more at once than the cores allow judges no faster, holds more histories
    /// in memory, and takes the CPU from the services beside it (Scoring's pipeline fell to 1,170 samples/s at 1 M
    /// executions, 2026-12-07, with 16 judgements at a time on 2 cores). More replicas judge more.
    /// </summary>
    public int JudgementConcurrency { get; set; }

    /// <summary>The concurrency <see cref="JudgementConcurrency"/> gives on a machine with <paramref name="processorCount"/> cores.</summary>
    public int ConcurrentJudgements(int processorCount) =>
        JudgementConcurrency > 0 ? JudgementConcurrency : Math.Max(1, processorCount / 2);

    public MetricRegistry Registry() => MetricRegistry.Default.WithThresholds(Thresholds);
}

/// <summary>
/// Stores every scored execution (with its measured passes and item outcomes) and judges the agent's whole history
/// with the regression engine: each benchmark × metric a series over the versions in the order they were first scored,
/// all of them one family for Benjamini-Hochberg. Every alert the engine raises that is not stored yet becomes a row in
/// <c>regressions</c> and a <see cref="RegressionDetected"/> in the outbox, in the same SaveChanges as the execution —
/// keyed by benchmark, metric and blamed version, so a change is raised once however often the history is judged again
/// (a re-delivered message changes nothing at all), and an older version arriving late is judged in its place in the
/// history. The verdict on every cell's newest version is kept for the regressions report.
/// Executions of one agent are judged one at a time (an advisory lock), across consumers and replicas.
/// A judgement's cost follows the new data, not the history (<see cref="AgentHistoryCache"/>): what the previous judgement
/// of the agent in this process kept — rows, pooled runs, the engine's state before the newest version — is checked
/// against the database and extended with the rows stored since; the verdicts are the same as judging from scratch.
/// </summary>
public sealed class ExecutionScoredConsumer(
    RegressionDbContext db,
    IOptions<RegressionOptions> options,
    SuiteThresholds suiteThresholds,
    AgentHistoryCache cache,
    TimeProvider clock,
    ILogger<ExecutionScoredConsumer> logger) : IConsumer<ExecutionScored>
{
    public async Task Consume(ConsumeContext<ExecutionScored> context)
    {
        var scored = context.Message;

        try
        {
            // Under the execution strategy: a dropped connection judges the execution again, in a new transaction.
            await db.InTransactionAsync(async ct =>
            {
                var started = Stopwatch.GetTimestamp();
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"SELECT pg_advisory_xact_lock(hashtextextended({scored.AgentId.ToString()}, 0))", ct);
                var locked = Stopwatch.GetTimestamp();

                if (await db.VersionResults.AnyAsync(r => r.ExecutionId == scored.ExecutionId, ct))
                {
                    logger.LogDebug("Execution {ExecutionId} already judged; ignoring the re-delivery", scored.ExecutionId);
                    return false;
                }

                var now = clock.GetUtcNow();
                var candidate = VersionResult.From(scored, receivedAt: now);
                db.VersionResults.Add(candidate);
                // The candidate's suite's thresholds before the history is read: when Suites cannot be reached the message is
                // retried, and each retry would otherwise read the history again first.
                await suiteThresholds.OfAsync([candidate.SuiteId], ct);

                var held = cache.Limit > 0 ? cache.Get(scored.AgentId) : null;
                var (all, cached) = await ReadHistoryAsync(scored.AgentId, held, ct);
                all.Add(candidate);
                var read = Stopwatch.GetTimestamp();
                // The runs of interleaved confirmations are judged on their own (JudgeInterleaved), not pooled into the history:
                // pooled, the candidate's re-runs would still be compared with the baseline's original runs, batch effect included.
                var requests = await db.ConfirmationRequests.Where(r => r.AgentId == scored.AgentId).ToListAsync(ct);
                var steps = InterleavedSteps(requests);
                var known = (await db.Regressions.Where(r => r.AgentId == scored.AgentId).Select(r => r.RegressionId).ToListAsync(ct)).ToHashSet();
                HistoryJudgement history;
                try
                {
                    history = await JudgeHistoryAsync(all, steps, cached ? held : null, ct);
                    if (cached && JudgesOnRuns(history.Judged, requests, steps, all))
                    {
                        throw new HistoryCacheMissException("an interleaved confirmation is judged on its runs (their JSON, and the history's)");
                    }
                }
                catch (HistoryCacheMissException miss)
                {
                    logger.LogDebug("Execution {ExecutionId} of {AgentId}: the whole history is read again ({Reason})", candidate.ExecutionId, scored.AgentId, miss.Message);
                    (all, cached) = await ReadHistoryAsync(scored.AgentId, null, ct);
                    all.Add(candidate);
                    history = await JudgeHistoryAsync(all, steps, null, ct);
                }

                var (order, thresholds) = (history.Order, history.Thresholds);
                var (judgements, states) = JudgeInterleaved(history.Judged, requests, steps, all, history.Rows, order, thresholds, now);
                var judgedAt = Stopwatch.GetTimestamp();
                // Alerts at the candidate's version, and at the versions after it when an older version arrived late (they were
                // judged again with it in their history); alerts further back were raised, or not, when their versions arrived.
                var from = Math.Max(0, order.IndexOf(candidate.AgentVersion));
                var count = 0;
                foreach (var cell in judgements)
                {
                    foreach (var alert in cell.Verdict.Alerts)
                    {
                        if (order.IndexOf(alert.AtVersion) < from || cell.Version(alert.AtVersion) is not { } at)
                        {
                            continue;
                        }

                        var regressionId = RegressionIdOf(scored.AgentId, cell.BenchmarkId, cell.Metric.Name, alert.BlamedVersion);
                        if (known.Add(regressionId))
                        {
                            Raise(cell, alert, at, regressionId, candidate.WorkspaceId, now);
                            count++;
                        }
                    }
                }

                var confirmed = await ConfirmedBeforeAsync(scored.AgentId, judgements, ct);
                var confirmations = await RequestConfirmationsAsync(scored.AgentId, judgements, order, from, states, now, ct);
                await KeepVerdictsAsync(scored.AgentId, judgements, confirmed, states, now, ct);

                logger.LogInformation(
                    "Execution {ExecutionId} of {Agent} {Version} on {Benchmark}: history of {Versions} version(s) judged, {Count} new regression(s), {Confirmations} confirmation request(s)",
                    candidate.ExecutionId, candidate.AgentName, candidate.AgentVersion, candidate.BenchmarkName, order.Count, count, confirmations);

                await db.SaveChangesAsync(ct);
                // Kept before the commit, so that a judgement of the agent waiting for the lock finds it: should the commit fail,
                // the entry holds a row the database does not, and the next judgement's count (ReadHistoryAsync) reads it all again.
                var next = new AgentHistory(
                    scored.AgentId,
                    [.. all.Select(r => r.PerIterationJson == AgentHistoryCache.NoJson ? r : AgentHistoryCache.WithoutJson(r))],
                    all.Max(r => r.Sequence),
                    history.Cells,
                    history.Checkpoint);
                if (cache.Limit > 0)
                {
                    cache.Put(next);
                }

                // Where a judgement's time goes (docs/regression.md, "Cost of a judgement"): Debug, for profiling at scale.
                logger.LogDebug(
                    "Judged execution {ExecutionId} of {AgentId}: {Executions} executions, {Cells} cells in {TotalMs:0.0} ms (lock {LockMs:0.0}, read {ReadMs:0.0}, judge {JudgeMs:0.0} of which engine {EngineMs:0.0}, writes {WritesMs:0.0}); history {Source}, {Parsed} cells pooled anew, {Resumed} versions resumed",
                    candidate.ExecutionId, scored.AgentId, all.Count, judgements.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(started, locked).TotalMilliseconds, Stopwatch.GetElapsedTime(locked, read).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(read, judgedAt).TotalMilliseconds, TimeSpan.FromSeconds((double)history.EngineTicks / Stopwatch.Frequency).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(judgedAt).TotalMilliseconds, cached ? "cached" : "read", history.Parsed, history.Resumed);
                return true;
            }, context.CancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Two deliveries of the same execution raced past the check above; the other one won and wrote
            // everything, including the events.
            logger.LogDebug("Execution {ExecutionId} was stored by a concurrent delivery", scored.ExecutionId);
        }
    }

    /// <summary>
    /// The agent's rows and whether they came from <paramref name="held"/>: its rows (without JSON) plus those stored since
    /// (sequence above its high-water mark, with JSON), when the database holds exactly as many rows up to that mark as it
    /// does; otherwise, or without an entry, the whole history read (with JSON).
    /// </summary>
    private async Task<(List<VersionResult> Rows, bool Cached)> ReadHistoryAsync(Guid agentId, AgentHistory? held, CancellationToken ct)
    {
        if (held is not null)
        {
            var added = await db.VersionResults.AsNoTracking().Where(r => r.AgentId == agentId && r.Sequence > held.HighWater).ToListAsync(ct);
            var before = await db.VersionResults.CountAsync(r => r.AgentId == agentId && r.Sequence <= held.HighWater, ct);
            if (before == held.Rows.Count)
            {
                cache.CountReuse();
                return ([.. held.Rows, .. added], true);
            }

            logger.LogWarning("The history of {AgentId} kept in memory no longer matches the database ({Held} rows up to {HighWater}, {Stored} stored); reading it again",
                agentId, held.Rows.Count, held.HighWater, before);
            cache.Remove(agentId);
        }

        return (await db.VersionResults.AsNoTracking().Where(r => r.AgentId == agentId).ToListAsync(ct), false);
    }

    /// <summary>The history judged (the rows left when interleaved confirmation runs are taken out), with what the next judgement can keep.</summary>
    private sealed record HistoryJudgement(
        IReadOnlyList<VersionResult> Rows, List<string> Order, IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, double>> Thresholds,
        IReadOnlyList<CellJudgement> Judged, Dictionary<(Guid BenchmarkId, string Version), PooledCell> Cells, EngineCheckpoint? Checkpoint,
        long EngineTicks, int Parsed, int Resumed);

    /// <summary>
    /// Judges the history: each benchmark × metric's series over the versions in the order they were first scored. With
    /// <paramref name="held"/>, the runs pooled before are reused and the engine resumes from its checkpoint (it checks the
    /// versions before the newest are unchanged); a cell whose executions changed other than by new ones after the cached
    /// ones needs JSON the cache does not keep (<see cref="HistoryCacheMissException"/>).
    /// </summary>
    private async Task<HistoryJudgement> JudgeHistoryAsync(
        List<VersionResult> all, Dictionary<Guid, (ConfirmationRequest Request, int Round, int Step)> steps, AgentHistory? held, CancellationToken ct)
    {
        var history = all.Where(r => !steps.ContainsKey(r.RunId)).ToList();
        var order = VersionHistory.Order(history
            .GroupBy(r => r.AgentVersion)
            .Select(g => new SeenVersion(g.Key, g.Min(r => r.ScoredAt)))).Select(v => v.Version).ToList();
        // A suite's own thresholds win over the deployment's (Regression:Thresholds), which win over the engine's defaults.
        var thresholds = await suiteThresholds.OfAsync(history.Select(r => r.SuiteId), ct);
        var engine = new RegressionEngine();
        var pooler = new CellPooler(held?.Cells);
        var engineTicks = 0L;
        EngineCheckpoint? checkpoint = null;
        var resumed = 0;
        var whole = true;
        var judged = RegressionJudge.Judge(history, order, options.Value.Registry(), series =>
        {
            var at = Stopwatch.GetTimestamp();
            try
            {
                // The whole family once; should the engine reject it, its parts are judged on their own, without a checkpoint.
                if (whole)
                {
                    whole = false;
                    var analysis = engine.AnalyzeResumable(series, held?.Checkpoint);
                    (checkpoint, resumed) = (analysis.Checkpoint, analysis.VersionsResumed);
                    return analysis.Verdicts;
                }

                checkpoint = null;
                return engine.Analyze(series);
            }
            finally
            {
                engineTicks += Stopwatch.GetTimestamp() - at;
            }
        }, logger, thresholds, pooler.Pool);
        return new HistoryJudgement(history, order, thresholds, judged, pooler.Cells, checkpoint, engineTicks, pooler.Parsed, resumed);
    }

    /// <summary>
    /// True when <see cref="JudgeInterleaved"/> will judge a confirmation on its runs — all of them scored, its cells still
    /// showing the requested version — which parses those runs' JSON and may judge the history again with them: rows the
    /// cache kept have no JSON, so such a judgement reads the history whole (rare: once per confirmation round).
    /// </summary>
    private static bool JudgesOnRuns(
        IReadOnlyList<CellJudgement> judged, IReadOnlyList<ConfirmationRequest> requests,
        Dictionary<Guid, (ConfirmationRequest Request, int Round, int Step)> steps, IReadOnlyList<VersionResult> all)
    {
        foreach (var request in requests.Where(r => r.BaselineVersion is not null))
        {
            var metrics = request.Metrics.Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (!judged.Any(c => c.BenchmarkId == request.BenchmarkId && c.Verdict.Version == request.AgentVersion && metrics.Contains(c.Metric.Name)))
            {
                continue;
            }

            var received = all.Where(r => steps.TryGetValue(r.RunId, out var step) && step.Request == request).Select(r => r.RunId).Distinct().Count();
            if (received >= request.Rounds * 2 * ConfirmationRunsRequested.InterleavedPairs)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds the regression row and its RegressionDetected (through the outbox) for one alert.</summary>
    /// <param name="workspaceId">The agent's workspace, from the execution being judged: an agent never changes workspace.</param>
    private void Raise(CellJudgement cell, Alert alert, VersionRuns at, Guid regressionId, string workspaceId, DateTimeOffset now)
    {
        var execution = at.Latest;
        var metric = cell.Metric;
        var direction = RegressionJudge.DirectionName(metric);
        var worsening = RegressionJudge.Worsening(metric, alert.Effect);
        var baselineValue = cell.MeanOver(alert.BaselineFromVersion, alert.BlamedVersion);
        var currentValue = RegressionJudge.Runs(at, metric.Name).DefaultIfEmpty(double.NaN).Average();
        var severity = SeriesJson.Name(alert.Severity);
        var regression = new RegressionDetected
        {
            SchemaVersion = 2,
            RegressionId = regressionId,
            AgentId = execution.AgentId,
            AgentName = execution.AgentName,
            WorkspaceId = workspaceId,
            SuiteId = execution.SuiteId,
            BenchmarkId = execution.BenchmarkId,
            BenchmarkName = cell.BenchmarkName,
            CandidateVersion = alert.AtVersion,
            BaselineVersion = alert.BaselineFromVersion,
            BlamedVersion = alert.BlamedVersion,
            Metric = metric.Name,
            Direction = direction,
            BaselineValue = baselineValue,
            CurrentValue = currentValue,
            RegressionPercentage = worsening,
            Threshold = metric.Threshold,
            Severity = severity,
            Detector = RegressionJudge.DetectorName,
            Path = SeriesJson.Name(alert.Path),
            DecisionLevel = SeriesJson.Name(alert.DecisionLevel),
            Effect = new RegressionEffect(alert.Effect.Estimate, alert.Effect.Lower, alert.Effect.Upper),
            PValue = alert.PValue,
            QValue = alert.QValue,
            CandidateRuns = alert.CandidateRuns,
            BaselineRuns = alert.BaselineRuns,
            MinimumDetectableEffect = cell.Verdict.MinimumDetectableEffect,
            ExecutionId = execution.ExecutionId,
            RunId = execution.RunId,
            DetectedAt = now,
        };
        db.Regressions.Add(new RegressionRecord
        {
            RegressionId = regression.RegressionId,
            ExecutionId = regression.ExecutionId,
            BaselineExecutionId = cell.Version(alert.BaselineFromVersion)?.Latest.ExecutionId ?? Guid.Empty,
            RunId = regression.RunId,
            AgentId = regression.AgentId,
            AgentName = regression.AgentName,
            WorkspaceId = workspaceId,
            SuiteId = regression.SuiteId,
            BenchmarkId = regression.BenchmarkId,
            BenchmarkName = regression.BenchmarkName,
            CandidateVersion = regression.CandidateVersion,
            BaselineVersion = regression.BaselineVersion,
            Metric = regression.Metric,
            Direction = regression.Direction,
            BaselineValue = double.IsFinite(baselineValue) ? baselineValue : 0,
            CurrentValue = double.IsFinite(currentValue) ? currentValue : 0,
            RegressionPercentage = regression.RegressionPercentage,
            Threshold = regression.Threshold,
            Severity = regression.Severity,
            Detector = regression.Detector,
            ImpactAnalysis = RegressionJudge.ImpactOf(metric, alert, cell.BenchmarkName),
            DetectedAt = regression.DetectedAt,
            BlamedVersion = alert.BlamedVersion,
            Path = regression.Path,
            EffectLower = alert.Effect.Lower,
            EffectUpper = alert.Effect.Upper,
            PValue = alert.PValue,
            QValue = alert.QValue,
            MinimumDetectableEffect = regression.MinimumDetectableEffect,
            CandidateRuns = alert.CandidateRuns,
            BaselineRuns = alert.BaselineRuns,
        });
        db.AddOutboxMessage(regression, regression.RegressionId);
    }

    /// <summary>
    /// Asks for confirmation runs (ConfirmationRunsRequested, through the outbox) where a version judged now is undecided
    /// on a benchmark — inconclusive with the number of runs that would settle it, and at the monitor level a borderline
    /// screen (the engine's rule: only screens are confirmed) — once per version and benchmark; its cells are then pending
    /// (<paramref name="states"/>).
    /// </summary>
    private async Task<int> RequestConfirmationsAsync(
        Guid agentId, IReadOnlyList<CellJudgement> judgements, List<string> order, int from,
        Dictionary<(string Version, Guid BenchmarkId, string Metric), InterleavedState> states, DateTimeOffset now, CancellationToken ct)
    {
        var borderline = judgements
            .Where(c => order.IndexOf(c.Verdict.Version) >= from && c.Verdict.Verdict == Verdict.Inconclusive && c.Verdict.AdditionalRunsNeeded > 0
                && (c.Verdict.DecisionLevel == DecisionLevel.OneShot || c.Verdict.Borderline))
            .GroupBy(c => (c.Verdict.Version, c.BenchmarkId))
            .ToList();
        if (borderline.Count == 0)
        {
            return 0;
        }

        var versions = borderline.Select(g => g.Key.Version).Distinct().ToList();
        var requested = (await db.ConfirmationRequests
                .Where(r => r.AgentId == agentId && versions.Contains(r.AgentVersion))
                .Select(r => new { r.AgentVersion, r.BenchmarkId })
                .ToListAsync(ct))
            .Select(r => (r.AgentVersion, r.BenchmarkId))
            .ToHashSet();
        var count = 0;
        foreach (var cells in borderline.Where(g => !requested.Contains(g.Key)))
        {
            // Interleaved with the version the candidate follows in this benchmark's series (the newest of its baseline).
            var series = cells.First().Versions;
            if (series.Count < 2)
            {
                continue;
            }

            var baselineVersion = series[^2].Version;
            var latest = cells.First().Version(cells.Key.Version)!.Latest;
            var request = new ConfirmationRunsRequested
            {
                RequestId = ConfirmationIdOf(agentId, cells.Key.Version, cells.Key.BenchmarkId),
                AgentId = agentId,
                AgentName = latest.AgentName,
                AgentVersion = cells.Key.Version,
                SuiteId = latest.SuiteId,
                BenchmarkId = cells.Key.BenchmarkId,
                BenchmarkName = cells.First().BenchmarkName,
                Metrics = [.. cells.Select(c => c.Metric.Name)],
                AdditionalRuns = Math.Min(cells.Max(c => c.Verdict.AdditionalRunsNeeded!.Value), RunLimits.MaxIterations),
                BasedOnRunId = latest.RunId,
                RequestedAt = now,
                BaselineVersion = baselineVersion,
            };
            db.ConfirmationRequests.Add(new ConfirmationRequest
            {
                BaselineVersion = baselineVersion,
                AgentId = agentId,
                AgentVersion = request.AgentVersion,
                BenchmarkId = request.BenchmarkId,
                RequestId = request.RequestId,
                Metrics = string.Join(',', request.Metrics),
                AdditionalRuns = request.AdditionalRuns,
                RequestedAt = now,
            });
            db.AddOutboxMessage(request, request.RequestId);
            foreach (var cell in cells)
            {
                states[(cells.Key.Version, cells.Key.BenchmarkId, cell.Metric.Name)] = new(ConfirmationStates.Pending,
                    $"{cell.Verdict.Reason}; interleaved confirmation with {baselineVersion} requested (round 1 of at most {MaxConfirmationRounds})");
            }

            count++;
        }

        return count;
    }

    /// <summary>
    /// The candidate-only confirmation runs (requests from before interleaving) already requested for the versions judged,
    /// by version and benchmark: their runs are pooled into the history, and the verdict says what that could not settle.
    /// </summary>
    private async Task<Dictionary<(string Version, Guid BenchmarkId), int>> ConfirmedBeforeAsync(
        Guid agentId, IReadOnlyList<CellJudgement> judgements, CancellationToken ct)
    {
        var versions = judgements.Select(c => c.Verdict.Version).Distinct().ToList();
        return (await db.ConfirmationRequests.AsNoTracking()
                .Where(r => r.AgentId == agentId && versions.Contains(r.AgentVersion) && r.BaselineVersion == null)
                .Select(r => new { r.AgentVersion, r.BenchmarkId, r.AdditionalRuns })
                .ToListAsync(ct))
            .ToDictionary(r => (r.AgentVersion, r.BenchmarkId), r => r.AdditionalRuns);
    }

    /// <summary>
    /// Why a cell is still inconclusive once its one round of confirmation runs was requested: a version is re-run once per
    /// benchmark (at most <see cref="RunLimits.MaxIterations"/> passes), so the verdict says what the runs at hand cannot do.
    /// </summary>
    private static string AfterConfirmation(SeriesVerdict verdict, int requested) => verdict.AdditionalRunsNeeded switch
    {
        null => $"{verdict.Reason}; confirmation runs ({requested} passes, the one round BenchMesh asks for) were requested and every run received is pooled here: more runs of this version cannot settle it (the test's noise is between items or versions, not between runs)",
        var more => $"{verdict.Reason}; confirmation runs ({requested} passes, the one round BenchMesh asks for) were requested and every run received is pooled here: {more} more would be needed, beyond what BenchMesh re-runs on its own",
    };

    /// <summary>
    /// Writes the verdict on every cell's newest version (the one the engine's verdict is about), replacing the one kept
    /// from an earlier judgement: what <c>GET /benchmarks/agents/{agent_id}/regressions</c> returns.
    /// </summary>
    private async Task KeepVerdictsAsync(
        Guid agentId, IReadOnlyList<CellJudgement> judgements, Dictionary<(string Version, Guid BenchmarkId), int> confirmed,
        IReadOnlyDictionary<(string Version, Guid BenchmarkId, string Metric), InterleavedState> states, DateTimeOffset now, CancellationToken ct)
    {
        var versions = judgements.Select(c => c.Verdict.Version).Distinct().ToList();
        var kept = await db.Verdicts.Where(v => v.AgentId == agentId && versions.Contains(v.AgentVersion)).ToListAsync(ct);
        var byKey = kept.ToDictionary(v => (v.AgentVersion, v.BenchmarkId, v.Metric));
        foreach (var cell in judgements)
        {
            var verdict = cell.Verdict;
            if (!byKey.TryGetValue((verdict.Version, cell.BenchmarkId, cell.Metric.Name), out var row))
            {
                row = new VerdictRecord { AgentId = agentId, AgentVersion = verdict.Version, BenchmarkId = cell.BenchmarkId, Metric = cell.Metric.Name, BenchmarkName = "", Verdict = "" };
                db.Verdicts.Add(row);
            }

            var regression = cell.Regression();
            row.BenchmarkName = cell.BenchmarkName;
            row.Verdict = SeriesJson.Name(verdict.Verdict);
            row.VersionsJudged = cell.VersionsJudged;
            row.DecisionLevel = SeriesJson.Name(verdict.DecisionLevel);
            row.EffectEstimate = verdict.Effect?.Estimate;
            row.EffectLower = verdict.Effect?.Lower;
            row.EffectUpper = verdict.Effect?.Upper;
            row.PValue = verdict.PValue;
            row.QValue = verdict.QValue;
            row.MinimumDetectableEffect = verdict.MinimumDetectableEffect;
            row.AdditionalRuns = verdict.AdditionalRunsNeeded;
            var state = states.GetValueOrDefault((verdict.Version, cell.BenchmarkId, cell.Metric.Name));
            row.Reason = state is not null
                ? state.Reason
                : verdict.Verdict == Verdict.Inconclusive && confirmed.TryGetValue((verdict.Version, cell.BenchmarkId), out var requested)
                    ? AfterConfirmation(verdict, requested)
                    : verdict.Reason;
            row.Confirmation = state?.State;
            row.RegressionJson = regression is null ? null : JsonSerializer.Serialize(regression, ServiceDefaultsExtensions.PublicJson);
            row.JudgedAt = now;
        }
    }

    /// <summary>
    /// Rounds of interleaved confirmation runs BenchMesh asks for on one version and benchmark; after the last, a cell
    /// still inconclusive says why it cannot be decided.
    /// </summary>
    public const int MaxConfirmationRounds = 3;

    /// <summary>Where a cell's interleaved confirmation stands (<see cref="ConfirmationStates"/>) and the reason its verdict gives.</summary>
    private sealed record InterleavedState(string State, string? Reason);

    /// <summary>The run ids of every interleaved confirmation step requested so far: the request (round) and the step.</summary>
    private static Dictionary<Guid, (ConfirmationRequest Request, int Round, int Step)> InterleavedSteps(IEnumerable<ConfirmationRequest> requests)
    {
        var steps = new Dictionary<Guid, (ConfirmationRequest, int, int)>();
        foreach (var request in requests.Where(r => r.BaselineVersion is not null))
        {
            for (var round = 1; round <= request.Rounds; round++)
            {
                var requestId = RoundIdOf(request, round);
                for (var step = 0; step < 2 * ConfirmationRunsRequested.InterleavedPairs; step++)
                {
                    steps[ConfirmationRunsRequested.StepRunId(requestId, step)] = (request, round, step);
                }
            }
        }

        return steps;
    }

    /// <summary>
    /// Judges each interleaved confirmation whose runs have all been scored, on those runs alone: the candidate's steps
    /// against the baseline's (A B A B, made side by side), a two-version comparison at the one-shot level (Benjamini-Hochberg
    /// across the benchmark's metrics). Its verdict replaces the history's on the metrics the request named, when the
    /// candidate is still the newest version of the series. A verdict still inconclusive that more runs would settle asks
    /// for another round, up to <see cref="MaxConfirmationRounds"/>; after that it says why it cannot decide. A regression
    /// found this way is raised with path <c>confirm</c>. Confirmations whose runs are not all in yet leave the history's
    /// verdict, marked pending.
    /// </summary>
    private (IReadOnlyList<CellJudgement> Judgements, Dictionary<(string Version, Guid BenchmarkId, string Metric), InterleavedState> States) JudgeInterleaved(
        IReadOnlyList<CellJudgement> judged,
        IReadOnlyList<ConfirmationRequest> requests,
        Dictionary<Guid, (ConfirmationRequest Request, int Round, int Step)> steps,
        IReadOnlyList<VersionResult> all,
        IReadOnlyList<VersionResult> history,
        IReadOnlyList<string> order,
        IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, double>> thresholds,
        DateTimeOffset now)
    {
        var judgements = judged.ToList();
        var states = new Dictionary<(string, Guid, string), InterleavedState>();
        foreach (var request in requests.Where(r => r.BaselineVersion is not null))
        {
            var metrics = request.Metrics.Split(',', StringSplitOptions.RemoveEmptyEntries);
            var index = judgements.Select((c, i) => (c, i))
                .Where(x => x.c.BenchmarkId == request.BenchmarkId && x.c.Verdict.Version == request.AgentVersion && metrics.Contains(x.c.Metric.Name))
                .ToDictionary(x => x.c.Metric.Name, x => x.i);
            if (index.Count == 0)
            {
                // A newer version has been scored on this benchmark since: the confirmation is about a verdict no longer shown.
                continue;
            }

            var runs = all.Where(r => steps.TryGetValue(r.RunId, out var step) && step.Request == request).ToList();
            var expected = request.Rounds * 2 * ConfirmationRunsRequested.InterleavedPairs;
            var received = runs.Select(r => r.RunId).Distinct().Count();
            var with = $"interleaved confirmation with {request.BaselineVersion}";
            if (received < expected)
            {
                foreach (var (metric, i) in index)
                {
                    states[(request.AgentVersion, request.BenchmarkId, metric)] = new(ConfirmationStates.Pending,
                        $"{judgements[i].Verdict.Reason ?? SeriesJson.Name(judgements[i].Verdict.Verdict)}; {with} pending ({received} of {expected} runs scored, round {request.Rounds} of at most {MaxConfirmationRounds})");
                }

                continue;
            }

            var cells = RegressionJudge.Judge(runs, [request.BaselineVersion!, request.AgentVersion], options.Value.Registry(), new RegressionEngine(), logger, thresholds)
                .Where(c => index.ContainsKey(c.Metric.Name) && c.VersionsJudged >= 2)
                .ToList();
            cells = RequirePooledEvidence(request, cells, judgements, index, runs, history, order, thresholds);
            var another = request.Rounds < MaxConfirmationRounds
                && cells.Any(c => c.Verdict.Verdict == Verdict.Inconclusive && c.Verdict.AdditionalRunsNeeded > 0);
            // The rounds judged: counted before another is asked for.
            var (rounds, pairs) = (request.Rounds, request.Rounds * ConfirmationRunsRequested.InterleavedPairs);
            if (another)
            {
                RequestAnotherRound(request, all, cells, now);
            }

            foreach (var cell in cells)
            {
                var verdict = cell.Verdict with { Alerts = [.. cell.Verdict.Alerts.Select(a => a with { Path = AlertPath.Confirm })] };
                judgements[index[cell.Metric.Name]] = cell with { Verdict = verdict };
                var judgedOn = $"judged on {pairs} interleaved pairs of runs with {request.BaselineVersion} ({rounds} round(s))";
                states[(request.AgentVersion, request.BenchmarkId, cell.Metric.Name)] = another
                    ? new(ConfirmationStates.Pending, $"{verdict.Reason}; {judgedOn}: round {rounds + 1} of at most {MaxConfirmationRounds} requested")
                    : verdict.Verdict != Verdict.Inconclusive
                        ? new(ConfirmationStates.Done, verdict.Reason is null ? judgedOn : $"{verdict.Reason}; {judgedOn}")
                        : new(ConfirmationStates.Done, $"{verdict.Reason}; {judgedOn}: " + (verdict.AdditionalRunsNeeded is { } more
                            ? $"{more} more runs would be needed, and BenchMesh runs at most {MaxConfirmationRounds} rounds on its own"
                            : "more runs cannot settle it (the test's noise is between items, not between runs)"));
            }
        }

        return (judgements, states);
    }

    /// <summary>
    /// The engine's rule for a monitored history (<c>SeriesState.ConfirmInterleaved</c>, docs/regression.md): a screen is
    /// confirmed when the interleaved runs alone show the regression at the one-shot level AND the candidate's runs pooled
    /// with its re-runs show it against the history's baseline at the monitor level. The interleaved runs alone answer to one
    /// comparison's 5 %; a history is checked again at every version, so taken alone they would turn one borderline screen in
    /// twenty into an alert. Here the pooled evidence is the history judged again with the request's candidate runs added to
    /// the candidate version (the gate: p ≤ 0.001, Benjamini-Hochberg across the version's cells, the practical threshold).
    /// A cell that reproduced with the pooled evidence short is inconclusive and asks for as many runs again as the version
    /// has (the engine's rule too). A one-shot cell (a history of two versions) keeps the interleaved verdict: its budget is
    /// the one comparison's, which is the level the interleaved runs are judged at.
    /// </summary>
    private List<CellJudgement> RequirePooledEvidence(
        ConfirmationRequest request, List<CellJudgement> cells, IReadOnlyList<CellJudgement> judgements, IReadOnlyDictionary<string, int> index,
        IReadOnlyList<VersionResult> confirmationRuns, IReadOnlyList<VersionResult> history, IReadOnlyList<string> order,
        IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, double>> thresholds)
    {
        var monitored = cells.Where(c => c.Verdict.Verdict == Verdict.Regressed && judgements[index[c.Metric.Name]].Verdict.DecisionLevel == DecisionLevel.Monitor).ToList();
        if (monitored.Count == 0)
        {
            return cells;
        }

        var pooledHistory = history.Concat(confirmationRuns.Where(r => r.AgentVersion == request.AgentVersion)).ToList();
        var pooled = RegressionJudge.Judge(pooledHistory, order, options.Value.Registry(), new RegressionEngine(), logger, thresholds)
            .Where(c => c.BenchmarkId == request.BenchmarkId && c.Verdict.Version == request.AgentVersion)
            .ToDictionary(c => c.Metric.Name);
        return cells.Select(cell =>
        {
            if (!monitored.Contains(cell) || (pooled.TryGetValue(cell.Metric.Name, out var evidence) && evidence.Verdict.Verdict == Verdict.Regressed))
            {
                return cell;
            }

            var original = judgements[index[cell.Metric.Name]];
            var candidateRuns = original.Version(request.AgentVersion) is { } own ? RegressionJudge.Runs(own, cell.Metric.Name).Count() : 0;
            var pooledP = evidence is { Verdict.PValue: { } p }
                ? FormattableString.Invariant($" (p = {p:G2})")
                : "";
            return cell with
            {
                Verdict = cell.Verdict with
                {
                    Verdict = Verdict.Inconclusive,
                    Alerts = [],
                    AdditionalRunsNeeded = Math.Max(1, candidateRuns),
                    Reason = $"the interleaved runs show the regression at the one-shot level, but {request.AgentVersion}'s runs pooled with its re-runs do not yet show it against the history's baseline at the monitor level{pooledP}",
                },
            };
        }).ToList();
    }

    /// <summary>Asks for the next round of an interleaved confirmation (ConfirmationRunsRequested through the outbox).</summary>
    private void RequestAnotherRound(ConfirmationRequest request, IReadOnlyList<VersionResult> all, IReadOnlyList<CellJudgement> cells, DateTimeOffset now)
    {
        var latest = all.Where(r => r.AgentVersion == request.AgentVersion && r.BenchmarkId == request.BenchmarkId).OrderBy(r => r.ScoredAt).Last();
        request.Rounds++;
        request.AdditionalRuns = Math.Min(cells.Max(c => c.Verdict.AdditionalRunsNeeded ?? 0), RunLimits.MaxIterations);
        request.RequestedAt = now;
        var message = new ConfirmationRunsRequested
        {
            RequestId = RoundIdOf(request, request.Rounds),
            AgentId = request.AgentId,
            AgentName = latest.AgentName,
            AgentVersion = request.AgentVersion,
            SuiteId = latest.SuiteId,
            BenchmarkId = request.BenchmarkId,
            BenchmarkName = latest.BenchmarkName,
            Metrics = request.Metrics.Split(',', StringSplitOptions.RemoveEmptyEntries),
            AdditionalRuns = request.AdditionalRuns,
            BasedOnRunId = latest.RunId,
            RequestedAt = now,
            BaselineVersion = request.BaselineVersion,
        };
        db.AddOutboxMessage(message, message.RequestId);
    }

    /// <summary>The request id of a round of confirmation: the first round's is the request's own.</summary>
    private static Guid RoundIdOf(ConfirmationRequest request, int round) => round == 1
        ? request.RequestId
        : IdOf($"confirm/{request.RequestId:N}/round/{round}");

    /// <summary>One id per change: agent, benchmark, metric and the version it is blamed on.</summary>
    private static Guid RegressionIdOf(Guid agentId, Guid benchmarkId, string metric, string blamedVersion) =>
        IdOf($"{agentId:N}/{benchmarkId:N}/{metric}/{blamedVersion}");

    /// <summary>One id per confirmation request: agent, version and benchmark.</summary>
    private static Guid ConfirmationIdOf(Guid agentId, string version, Guid benchmarkId) =>
        IdOf($"confirm/{agentId:N}/{version}/{benchmarkId:N}");

    private static Guid IdOf(string key) => new(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
}
