using System.Text.Json.Serialization;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Thresholds;

namespace BenchMesh.LoadEngine.BreakingPoints;

/// <summary>
/// How to look for a breaking point: constant-arrival-rate steps of <see cref="StepDuration"/> from
/// <see cref="StartRate"/>, <see cref="StepRate"/> higher each time, up to <see cref="MaxRate"/>, until a threshold
/// fails; then <see cref="Refinements"/> bisections between the last passing and the first failing rate.
/// </summary>
public sealed record BreakingPointOptions
{
    /// <summary>The thresholds used when none are given: errors under 1 %, at least 95 % of the planned rate achieved, under 1 % dropped.</summary>
    public static readonly IReadOnlyList<Threshold> DefaultThresholds =
        [Threshold.Parse("error_rate<1%"), Threshold.Parse("achieved_rate>=0.95*target"), Threshold.Parse("dropped_rate<1%")];

    /// <summary>Target, request, connections and timeouts of every step; its executor, rate and duration are replaced per step.</summary>
    public required LoadOptions Load { get; init; }

    /// <summary>The first step's rate (requests per second).</summary>
    public required double StartRate { get; init; }

    /// <summary>How much each step adds; 0 means the start rate again (start, 2×start, 3×start, ...).</summary>
    public double StepRate { get; init; }

    /// <summary>The highest rate tried.</summary>
    public required double MaxRate { get; init; }

    /// <summary>How long each step runs.</summary>
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bisections between the last passing and the first failing rate (0 = none).</summary>
    public int Refinements { get; init; }

    /// <summary>What a step must meet to count as sustainable; empty means <see cref="DefaultThresholds"/>.</summary>
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];

    /// <summary>Everything wrong with these options; empty when they can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!(StartRate > 0) || !(MaxRate >= StartRate) || StepRate < 0 || !double.IsFinite(MaxRate))
        {
            problems.Add("a breaking-point search needs a start rate above 0, a max rate not below it and a step not below 0.");
        }

        if ((MaxRate - StartRate) / Math.Max(StepRate > 0 ? StepRate : StartRate, 1e-9) > 1000)
        {
            problems.Add("a breaking-point search makes at most 1000 steps: raise the step or lower the max rate.");
        }

        if (StepDuration < TimeSpan.FromSeconds(1) || Refinements is < 0 or > 10)
        {
            problems.Add("each step needs at least 1s, and refinements must be between 0 and 10.");
        }

        problems.AddRange(StepOptions(StartRate).Validate());
        return problems;
    }

    internal LoadOptions StepOptions(double rate) => Load with
    {
        Executor = ExecutorKind.ConstantArrivalRate,
        Rate = rate,
        Duration = StepDuration,
        Thresholds = Thresholds.Count > 0 ? Thresholds : DefaultThresholds,
    };
}

/// <summary>One step of the search.</summary>
/// <param name="TargetRps">The step's planned rate.</param>
/// <param name="AchievedRps">What it achieved.</param>
/// <param name="ErrorRate">Its error rate.</param>
/// <param name="P99Ms">Its p99 latency from intended start.</param>
/// <param name="Passed">True when every threshold passed.</param>
/// <param name="FailedThreshold">The first threshold that failed.</param>
public sealed record BreakingPointStep(double TargetRps, double AchievedRps, double ErrorRate, double P99Ms, bool Passed, string? FailedThreshold);

/// <summary>What the search found. A null <see cref="FirstFailingRps"/> means no step failed up to the max rate.</summary>
/// <param name="LastSustainableRps">The highest rate whose step passed every threshold (null when even the first failed).</param>
/// <param name="FirstFailingRps">The lowest rate whose step failed.</param>
/// <param name="FailedThreshold">The threshold that failed there, as written.</param>
/// <param name="FailedMetric">Its metric.</param>
/// <param name="Observed">What that metric was.</param>
/// <param name="Steps">Every step, in the order run.</param>
/// <param name="LastRun">The full result of the last step run (not serialized).</param>
public sealed record BreakingPointResult(
    double? LastSustainableRps,
    double? FirstFailingRps,
    string? FailedThreshold,
    string? FailedMetric,
    double? Observed,
    IReadOnlyList<BreakingPointStep> Steps,
    [property: JsonIgnore] LoadResult LastRun);

/// <summary>Steps (and optionally bisects) the arrival rate until a threshold fails.</summary>
public static class BreakingPointSearch
{
    /// <summary>Runs the search; each step is a full bounded run.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<BreakingPointResult> RunAsync(BreakingPointOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        var steps = new List<BreakingPointStep>();
        double? lastPassing = null, firstFailing = null;
        ThresholdResult? failure = null;
        LoadResult? last = null;
        var step = options.StepRate > 0 ? options.StepRate : options.StartRate;

        async Task<bool> TryAsync(double rate)
        {
            var result = await LoadGenerator.RunAsync(options.StepOptions(rate), cancellationToken).ConfigureAwait(false);
            last = result;
            var failed = result.Thresholds.FirstOrDefault(t => !t.Passed);
            steps.Add(new BreakingPointStep(rate, result.AchievedRps, result.ErrorRate, result.LatencyMs.P99, failed is null, failed?.Expression));
            if (failed is null)
            {
                lastPassing = Math.Max(lastPassing ?? 0, rate);
                return true;
            }

            if (firstFailing is null || rate < firstFailing)
            {
                firstFailing = rate;
                failure = failed;
            }

            return false;
        }

        for (var i = 0; ; i++)
        {
            var rate = Math.Min(options.StartRate + i * step, options.MaxRate);
            if (!await TryAsync(rate).ConfigureAwait(false) || rate >= options.MaxRate)
            {
                break;
            }
        }

        for (var i = 0; i < options.Refinements && firstFailing is { } high; i++)
        {
            var low = lastPassing ?? 0;
            var middle = Math.Round((low + high) / 2, 3);
            if (middle <= low || middle >= high)
            {
                break;
            }

            await TryAsync(middle).ConfigureAwait(false);
        }

        return new BreakingPointResult(lastPassing, firstFailing, failure?.Expression, failure?.Metric, failure?.Observed, steps, last!);
    }
}
