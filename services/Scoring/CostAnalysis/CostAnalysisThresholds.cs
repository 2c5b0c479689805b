namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>Every threshold and default of the cost analysis, in one place (docs/cost-analysis.md explains each).</summary>
public static class CostAnalysisThresholds
{
    /// <summary>A configuration is listed as optimal above this efficiency score (§8.1's 80 % threshold).</summary>
    public const double OptimalEfficiency = 0.8;

    /// <summary>The monthly volume savings are estimated at when the request names none.</summary>
    public const long DefaultMonthlyTasks = 10_000;

    /// <summary>The largest monthly volume accepted.</summary>
    public const long MaxMonthlyTasks = 1_000_000_000;

    /// <summary>Warm-up calls are worth a remark from this share of everything the executions paid.</summary>
    public const decimal WarmupShare = 0.2m;

    /// <summary>The judge's calls are worth a remark from this share of everything the executions paid.</summary>
    public const decimal JudgeShare = 0.2m;
}
