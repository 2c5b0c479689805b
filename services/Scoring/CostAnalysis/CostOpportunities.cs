using System.Globalization;

namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>What the opportunity rules read.</summary>
/// <param name="Keys">Every configuration, by its id.</param>
/// <param name="Configurations">The configurations' figures and frontier positions.</param>
/// <param name="CurrentRows">The current configuration's execution per benchmark (the per-benchmark sections' rows).</param>
/// <param name="PaidFailures">Per execution id, its failed calls that cost something.</param>
public sealed record CostOpportunityFacts(
    IReadOnlyDictionary<string, ConfigurationKey> Keys,
    IReadOnlyList<ConfigurationSummary> Configurations,
    IReadOnlyList<CostExecution> CurrentRows,
    IReadOnlyDictionary<Guid, PaidFailures> PaidFailures,
    long MonthlyTasks);

/// <summary>
/// The <c>cost_optimization_opportunities</c>: each rule (docs/cost-analysis.md, "Opportunities") writes what it found
/// in plain words with its figures, so that a person can act on it without the rest of the answer.
/// </summary>
public static class CostOpportunities
{
    public static IReadOnlyList<CostOpportunity> Find(CostOpportunityFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return [.. CheaperConfigurations(facts), .. CurrentOffFrontier(facts), .. WarmupAndJudge(facts), .. PaidFailures(facts)];
    }

    /// <summary>Efficient configurations that cost less per task than the current one, the largest saving first.</summary>
    private static IEnumerable<CostOpportunity> CheaperConfigurations(CostOpportunityFacts facts)
    {
        if (facts.Configurations.FirstOrDefault(c => c.IsCurrent && c.Comparable) is not { } current)
        {
            yield break;
        }

        var currentLabel = facts.Keys[current.ConfigurationId].Label;
        foreach (var c in facts.Configurations
                     .Where(c => !c.IsCurrent && c.EfficiencyScore > CostAnalysisThresholds.OptimalEfficiency && c.CostPerTaskUsd < current.CostPerTaskUsd)
                     .OrderByDescending(c => c.EstimatedSavings))
        {
            var savings = c.EstimatedSavings!.Value;
            var performance = current.Performance > 0
                ? $"reaches {CostText.Share(c.Performance / current.Performance)} of {currentLabel}'s performance"
                : $"performs at {CostText.Score(c.Performance)} where {currentLabel} scores 0";
            yield return new CostOpportunity(
                "cheaper_configuration",
                $"Version {facts.Keys[c.ConfigurationId].Label} {performance} at " +
                $"{CostText.Share((double)(c.CostPerTaskUsd / current.CostPerTaskUsd))} of its cost per task " +
                $"({CostText.Money(c.CostPerTaskUsd)} vs {CostText.Money(current.CostPerTaskUsd)}): about {CostText.Money(savings)} a month saved " +
                $"at {facts.MonthlyTasks.ToString("N0", CultureInfo.InvariantCulture)} tasks.",
                savings);
        }
    }

    /// <summary>The current configuration is dominated: another performs at least as well for no more per task.</summary>
    private static IEnumerable<CostOpportunity> CurrentOffFrontier(CostOpportunityFacts facts)
    {
        if (facts.Configurations.FirstOrDefault(c => c.IsCurrent && c.Comparable) is not { OnFrontier: false } current)
        {
            yield break;
        }

        // The dominating configuration that saves the most.
        var better = facts.Configurations
            .Where(c => c.Comparable && c.CostPerTaskUsd <= current.CostPerTaskUsd && c.Performance >= current.Performance && !c.IsCurrent)
            .OrderBy(c => c.CostPerTaskUsd).ThenByDescending(c => c.Performance)
            .First();
        yield return new CostOpportunity(
            "current_off_frontier",
            $"The current configuration, {facts.Keys[current.ConfigurationId].Label}, is off the cost–performance frontier " +
            $"(efficiency {CostText.Score(current.EfficiencyScore!.Value)}): {facts.Keys[better.ConfigurationId].Label} performs at least as well " +
            $"({CostText.Score(better.Performance)} vs {CostText.Score(current.Performance)}) for no more per task " +
            $"({CostText.Money(better.CostPerTaskUsd)} vs {CostText.Money(current.CostPerTaskUsd)}).",
            better.EstimatedSavings);
    }

    /// <summary>Warm-up and judge calls that take a large share of what the latest executions paid.</summary>
    private static IEnumerable<CostOpportunity> WarmupAndJudge(CostOpportunityFacts facts)
    {
        var total = facts.CurrentRows.Sum(e => e.TotalSpendUsd);
        if (total <= 0)
        {
            yield break;
        }

        var warmup = facts.CurrentRows.Sum(e => e.WarmupCostUsd);
        if (warmup / total >= CostAnalysisThresholds.WarmupShare)
        {
            yield return new CostOpportunity(
                "warm_up_cost",
                $"Warm-up calls cost {CostText.Money(warmup)}, {CostText.Share((double)(warmup / total))} of everything the latest executions " +
                $"paid ({CostText.Money(total)}), at up to {facts.CurrentRows.Max(e => e.WarmupRuns)} warm-up run(s) per benchmark: " +
                "fewer warm-up runs would save most of it.",
                null);
        }

        var judge = facts.CurrentRows.Sum(e => e.JudgeCostUsd);
        if (judge / total >= CostAnalysisThresholds.JudgeShare)
        {
            yield return new CostOpportunity(
                "judge_cost",
                $"The judge cost {CostText.Money(judge)} over {facts.CurrentRows.Sum(e => e.JudgeCalls)} call(s), " +
                $"{CostText.Share((double)(judge / total))} of everything the latest executions paid ({CostText.Money(total)}): " +
                "a cheaper judge model, or a deterministic rubric where the answers allow one, would cut it.",
                null);
        }
    }

    /// <summary>Failed calls that cost money, and benchmarks whose latest execution failed but was paid for.</summary>
    private static IEnumerable<CostOpportunity> PaidFailures(CostOpportunityFacts facts)
    {
        var paid = facts.CurrentRows.Select(e => facts.PaidFailures.GetValueOrDefault(e.ExecutionId)).OfType<PaidFailures>().ToList();
        var agentCost = facts.CurrentRows.Sum(e => e.CostUsd);
        if (paid.Sum(p => p.CostUsd) is > 0 and var cost && agentCost > 0)
        {
            yield return new CostOpportunity(
                "failed_calls_paid",
                $"{paid.Sum(p => p.Calls)} failed call(s) were paid for: {CostText.Money(cost)}, {CostText.Share((double)(cost / agentCost))} " +
                $"of the agent's cost in the latest executions ({CostText.Money(agentCost)}), bought no answer.",
                null);
        }

        foreach (var e in facts.CurrentRows.Where(e => e.SuccessfulTasks == 0 && e.CostUsd > 0))
        {
            yield return new CostOpportunity(
                "failed_execution_paid",
                $"'{e.BenchmarkName}': no task succeeded in its latest execution ({e.FailedTasks} call(s) failed), which still cost {CostText.Money(e.CostUsd)}.",
                null);
        }
    }
}

/// <summary>How the texts write figures.</summary>
internal static class CostText
{
    /// <summary>$312 from $100, $3.12 from $1, below that cents and every decimal that matters ($0.10, $0.0012).</summary>
    public static string Money(decimal usd)
    {
        var sign = usd < 0 ? "-" : "";
        var a = Math.Abs(usd);
        var digits = a >= 100 ? Math.Round(a, 0, MidpointRounding.AwayFromZero).ToString("#,0", CultureInfo.InvariantCulture)
            : a >= 1 ? a.ToString("#,0.00", CultureInfo.InvariantCulture)
            : a.ToString("0.00######", CultureInfo.InvariantCulture);
        return $"{sign}${digits}";
    }

    public static string Share(double fraction) => fraction.ToString("P0", CultureInfo.InvariantCulture);

    public static string Score(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
