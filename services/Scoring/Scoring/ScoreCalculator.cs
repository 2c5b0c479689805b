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
public sealed record ScoreCard(
    Scores Scores,
    ExecutionMetrics Metrics,
    IReadOnlyDictionary<string, int[]> ItemOutcomes,
    string Status,
    string? ErrorMessage,
    int ScoredSamples,
    int UnscoredSamples);

/// <summary>
/// Computes the five scores and their raw metrics from judged samples. Formulas (docs/scoring.md):
/// accuracy = mean item score over samples that count (failed calls count 0, unscorable samples are excluded);
/// speed = L / (L + median latency of successful calls); efficiency = T / (T + mean tokens per successful call);
/// cost = C / (C + cost per successful call); reliability = successful calls / calls; overall = weighted sum.
/// Speed, efficiency and cost are 0 when no call succeeded.
/// </summary>
public static class ScoreCalculator
{
    /// <summary>An item counts as answered correctly at or above this score (for per-item outcomes).</summary>
    public const double CorrectThreshold = 0.5;

    public static ScoreCard Calculate(IReadOnlyList<JudgedSample> samples, BenchmarkConstraints constraints)
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
                g => new[] { g.Count(s => s.Result.Score >= CorrectThreshold), g.Count() },
                StringComparer.Ordinal);

        var status = successful.Count == 0 ? ExecutionStatuses.Failed : ExecutionStatuses.Completed;
        var unscored = samples.Count - counted.Count;
        var error = MostCommonError(samples)
                    ?? (counted.Count == 0 && samples.Count > 0 ? $"No sample could be scored ({samples[0].Result.Reason})." : null);

        return new ScoreCard(
            new Scores(accuracy, speed, efficiency, cost, reliability, overall),
            metrics, outcomes, status, error, counted.Count, unscored);
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
