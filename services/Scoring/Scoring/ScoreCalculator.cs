using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Scoring.Rubrics;

namespace BenchMesh.Scoring.Scoring;

/// <summary>The weights of the overall score (the seed's). One place; they sum to 1.</summary>
public static class ScoreWeights
{
    public const double Accuracy = 0.30;
    public const double Speed = 0.20;
    public const double Efficiency = 0.20;
    public const double Cost = 0.15;
    public const double Reliability = 0.15;

    public static double Overall(double accuracy, double speed, double efficiency, double cost, double reliability) =>
        Accuracy * accuracy + Speed * speed + Efficiency * efficiency + Cost * cost + Reliability * reliability;
}

/// <summary>One raw sample with its verdict.</summary>
public sealed record JudgedSample(RawSample Sample, RubricResult Result)
{
    public bool Succeeded => Sample.ErrorKind is null;

    /// <summary>A sample counts towards accuracy when it was judged, or when the call failed (it then counts 0).</summary>
    public bool CountsForAccuracy => Result.Scored || !Succeeded;
}

/// <summary>Everything Scoring derives from one execution's samples.</summary>
/// <param name="Status">The event's status (<see cref="ExecutionStatuses"/>: completed | failed), which the Runner, Leaderboard and Regression read.</param>
/// <param name="ExecutionStatus">The table's status (<see cref="BenchmarkExecutionStatuses"/>: success | terminated | failed).</param>
public sealed record ScoreCard(
    Scores Scores,
    ExecutionMetrics Metrics,
    IReadOnlyDictionary<string, int[]> ItemOutcomes,
    string Status,
    string? ErrorMessage,
    int ScoredSamples,
    int UnscoredSamples,
    string ExecutionStatus,
    OutputQuality Quality,
    ResourceUsage Resources,
    JudgeUsage Judge);

/// <summary>
/// The table's quality columns, over the measured samples (null when there is nothing to measure them on).
/// A sample is <em>judged</em> when its call succeeded and its rubric gave a verdict.
/// </summary>
/// <param name="Correctness">Judged samples judged correct (score ≥ the rubric's pass threshold) / judged samples.</param>
/// <param name="Completeness">Judged samples / measured samples: failed calls and ungradable outputs lower it.</param>
/// <param name="Relevance">Mean score of the judged samples (partial credit from f1 and model grades).</param>
public sealed record OutputQuality(double? Correctness, double? Completeness, double? Relevance);

/// <summary>What the agent's tasks used, where the protocol lets it be measured (process agents); null otherwise.</summary>
/// <param name="MemoryPeakMb">The largest peak resident memory of any measured task.</param>
/// <param name="CpuUsagePercent">100 × CPU time / wall time, summed over the measured tasks that report CPU time (above 100 on several cores).</param>
public sealed record ResourceUsage(double? MemoryPeakMb, double? CpuUsagePercent);

/// <summary>The judge's calls for a model-graded benchmark: counted apart, never in the agent's tokens or cost.</summary>
public sealed record JudgeUsage(int Calls, int Ungradable, long InputTokens, long OutputTokens, decimal CostUsd, double DurationMs)
{
    public static readonly JudgeUsage None = new(0, 0, 0, 0, 0m, 0);
}

/// <summary>
/// Computes the five scores and their raw metrics from judged samples. Formulas (docs/scoring.md):
/// accuracy = mean item score over samples that count (failed calls count 0, unscorable samples are excluded);
/// speed = L / (L + median latency of successful calls); efficiency = T / (T + mean tokens per successful call);
/// cost = C / (C + cost per successful call); reliability = successful calls / calls; overall = weighted sum.
/// Speed, efficiency and cost are 0 when no call succeeded.
/// </summary>
public static class ScoreCalculator
{
    /// <param name="terminatedEarly">The benchmark stopped before its planned calls (its status is then <c>terminated</c> unless every call failed).</param>
    public static ScoreCard Calculate(IReadOnlyList<JudgedSample> samples, BenchmarkConstraints constraints, bool terminatedEarly = false)
    {
        var successful = samples.Where(s => s.Succeeded).ToList();
        var counted = samples.Where(s => s.CountsForAccuracy).ToList();

        var accuracy = counted.Count == 0 ? 0 : Clamp(counted.Average(s => s.Result.Score));
        var latencies = successful.Select(s => s.Sample.DurationMs).ToList();
        var medianLatency = Median(latencies);
        var meanTokens = successful.Count == 0 ? 0 : successful.Average(s => (double)(s.Sample.InputTokens + s.Sample.OutputTokens));
        var meanCost = CostPerSuccessfulCall(samples, successful.Count);

        var speed = successful.Count == 0 ? 0 : Reference(constraints.TargetLatencyMs, medianLatency);
        var efficiency = successful.Count == 0 ? 0 : Reference(constraints.TargetTokens, meanTokens);
        // Like speed and efficiency, cost is judged on what succeeded: failed calls are free, so averaging over every
        // call would give an execution whose calls all failed a perfect cost score.
        var cost = successful.Count == 0 ? 0 : Reference(constraints.TargetCostUsd, meanCost);
        var reliability = samples.Count == 0 ? 0 : (double)successful.Count / samples.Count;
        var overall = Clamp(ScoreWeights.Overall(accuracy, speed, efficiency, cost, reliability));

        var metrics = new ExecutionMetrics
        {
            Samples = samples.Count,
            FailedSamples = samples.Count - successful.Count,
            Accuracy = accuracy,
            ErrorRate = samples.Count == 0 ? 0 : 1 - reliability,
            MeanLatencyMs = latencies.Count == 0 ? 0 : latencies.Average(),
            MedianLatencyMs = medianLatency,
            P95LatencyMs = Percentile(latencies, 0.95),
            MeanTokensPerTask = meanTokens,
            MeanCostPerTaskUsd = meanCost,
            TokensUsed = samples.Sum(s => s.Sample.InputTokens + s.Sample.OutputTokens),
            TotalCostUsd = samples.Sum(s => s.Sample.CostUsd),
            ApiCallsMade = samples.Count,
            PerIteration = samples.GroupBy(s => s.Sample.Iteration).OrderBy(g => g.Key).Select(PerIteration).ToList(),
        };

        var outcomes = counted
            .GroupBy(s => s.Sample.ItemId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => new[] { g.Count(s => s.Result.Correct), g.Count() },
                StringComparer.Ordinal);

        var executionStatus = successful.Count == 0 ? BenchmarkExecutionStatuses.Failed
            : terminatedEarly ? BenchmarkExecutionStatuses.Terminated
            : BenchmarkExecutionStatuses.Success;
        var unscored = samples.Count - counted.Count;
        var error = MostCommonError(samples)
                    ?? (counted.Count == 0 && samples.Count > 0 ? $"No sample could be scored ({samples[0].Result.Reason})." : null);

        return new ScoreCard(
            new Scores(accuracy, speed, efficiency, cost, reliability, overall),
            metrics, outcomes, BenchmarkExecutionStatuses.ForEvent(executionStatus), error, counted.Count, unscored,
            executionStatus, Quality(samples), Resources(samples), Judge(samples));
    }

    /// <summary>The quality columns (<see cref="OutputQuality"/>).</summary>
    public static OutputQuality Quality(IReadOnlyList<JudgedSample> samples)
    {
        var judged = samples.Where(s => s.Succeeded && s.Result.Scored).ToList();
        if (judged.Count == 0)
        {
            return new OutputQuality(null, samples.Count == 0 ? null : 0, null);
        }

        return new OutputQuality(
            (double)judged.Count(s => s.Result.Correct) / judged.Count,
            (double)judged.Count / samples.Count,
            Clamp(judged.Average(s => s.Result.Score)));
    }

    /// <summary>Peak memory and CPU share of the measured tasks (<see cref="ResourceUsage"/>).</summary>
    public static ResourceUsage Resources(IReadOnlyList<JudgedSample> samples)
    {
        var peaks = samples.Where(s => s.Sample.PeakMemoryMb is not null).Select(s => s.Sample.PeakMemoryMb!.Value).ToList();
        var timed = samples.Where(s => s.Sample.CpuTimeMs is not null && s.Sample.DurationMs > 0).ToList();
        var wall = timed.Sum(s => s.Sample.DurationMs);
        return new ResourceUsage(
            peaks.Count == 0 ? null : peaks.Max(),
            wall <= 0 ? null : 100 * timed.Sum(s => s.Sample.CpuTimeMs!.Value) / wall);
    }

    /// <summary>The judge's calls, tokens and cost (<see cref="JudgeUsage"/>).</summary>
    public static JudgeUsage Judge(IReadOnlyList<JudgedSample> samples)
    {
        var judgements = samples.Where(s => s.Sample.Judgement is not null).Select(s => s.Sample.Judgement!).ToList();
        return judgements.Count == 0
            ? JudgeUsage.None
            : new JudgeUsage(
                judgements.Count,
                judgements.Count(j => j.Score is null),
                judgements.Sum(j => j.InputTokens),
                judgements.Sum(j => j.OutputTokens),
                judgements.Sum(j => j.CostUsd),
                judgements.Sum(j => j.DurationMs));
    }

    /// <summary>target / (target + value): 1 at value 0, 0.5 at the target, towards 0 beyond. In [0, 1].</summary>
    public static double Reference(double target, double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        return target <= 0 ? 0 : Clamp(target / (target + value));
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Linear-interpolated percentile (p in [0, 1]).</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    /// <summary>
    /// What one successful answer cost: the cost of every measured call over the successful calls (0 when none
    /// succeeded). Failed calls cost nothing today; were one billed, it would be charged to the successes it stood beside.
    /// </summary>
    public static double CostPerSuccessfulCall(IReadOnlyCollection<JudgedSample> samples, int successfulCalls) =>
        successfulCalls == 0 ? 0 : (double)samples.Sum(s => s.Sample.CostUsd) / successfulCalls;

    private static IterationMetrics PerIteration(IGrouping<int, JudgedSample> pass)
    {
        var all = pass.ToList();
        var ok = all.Where(s => s.Succeeded).ToList();
        var counted = all.Where(s => s.CountsForAccuracy).ToList();
        return new IterationMetrics(
            pass.Key,
            counted.Count == 0 ? 0 : Clamp(counted.Average(s => s.Result.Score)),
            Median(ok.Select(s => s.Sample.DurationMs).ToList()),
            CostPerSuccessfulCall(all, ok.Count),
            ok.Count == 0 ? 0 : ok.Average(s => (double)(s.Sample.InputTokens + s.Sample.OutputTokens)),
            (double)(all.Count - ok.Count) / all.Count);
    }

    private static string? MostCommonError(IReadOnlyList<JudgedSample> samples) =>
        samples.Where(s => !s.Succeeded)
            .GroupBy(s => string.IsNullOrWhiteSpace(s.Sample.Error) ? s.Sample.ErrorKind! : $"{s.Sample.ErrorKind}: {s.Sample.Error}")
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key)
            .FirstOrDefault();

    private static double Clamp(double value) => double.IsNaN(value) ? 0 : Math.Clamp(value, 0, 1);
}
