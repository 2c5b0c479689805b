using BenchMesh.Contracts.Scoring;
using BenchMesh.Regression.Detection;
using BenchMesh.Statistics.Engine;

namespace BenchMesh.Regression.Tests;

/// <summary>The agent's history as the engine sees it (no host, no database).</summary>
public sealed class RegressionJudgeTests
{
    private static readonly Guid Agent = Guid.NewGuid();
    private static readonly Guid Benchmark = Guid.NewGuid();

    private static IReadOnlyList<CellJudgement> Judge(params ExecutionScored[] executions) =>
        RegressionJudge.Judge(
            executions.Select(Executions.Row).ToList(),
            executions.OrderBy(e => e.ScoredAt).Select(e => e.AgentVersion).Distinct().ToList(),
            MetricRegistry.Default,
            new RegressionEngine());

    [Fact]
    public void A_cost_of_zero_everywhere_is_judged_without_logarithms_and_is_no_regression()
    {
        var cells = Judge(
            Executions.Scored(Agent, "1.0", Benchmark, "qa", Executions.Start, costPerTask: 0),
            Executions.Scored(Agent, "1.1", Benchmark, "qa", Executions.Start.AddHours(1), costPerTask: 0));

        var cost = cells.Single(c => c.Metric.Name == "cost_per_task_usd");
        Assert.NotEqual(Verdict.Regressed, cost.Verdict.Verdict);
        Assert.Equal(5, cells.Count);
    }

    [Fact]
    public void An_execution_stored_without_passes_counts_as_one_run_of_its_aggregates()
    {
        var v1 = Executions.Row(Executions.Scored(Agent, "1.0", Benchmark, "qa", Executions.Start, latencyMs: 30));
        var old = Executions.Row(Executions.Scored(Agent, "1.1", Benchmark, "qa", Executions.Start.AddHours(1), latencyMs: 31));
        old.PerIterationJson = "[]";
        old.ItemOutcomesJson = "{}";

        var cells = RegressionJudge.Judge([v1, old], ["1.0", "1.1"], MetricRegistry.Default, new RegressionEngine());

        var latency = cells.Single(c => c.Metric.Name == "latency_ms");
        Assert.Equal([31.0], RegressionJudge.Runs(latency.Version("1.1")!, "latency_ms"));
        Assert.Equal("1.1", latency.Verdict.Version);
        Assert.NotEqual(Verdict.Regressed, latency.Verdict.Verdict); // one run cannot carry a regression
    }

    [Fact]
    public void A_series_the_engine_rejects_is_inconclusive_with_the_reason_and_the_others_are_judged()
    {
        var engine = new RegressionEngine();
        IReadOnlyList<SeriesVerdict> Analyze(IReadOnlyList<SeriesInput> series) =>
            series.Any(s => s.Metric.Name == "tokens_per_task") ? throw new ArgumentException("tokens cannot be judged") : engine.Analyze(series);

        var cells = RegressionJudge.Judge(
            [
                Executions.Row(Executions.Scored(Agent, "1.0", Benchmark, "qa", Executions.Start, latencyMs: 30)),
                Executions.Row(Executions.Scored(Agent, "1.1", Benchmark, "qa", Executions.Start.AddHours(1), latencyMs: 90)),
            ],
            ["1.0", "1.1"], MetricRegistry.Default, Analyze);

        var tokens = cells.Single(c => c.Metric.Name == "tokens_per_task");
        Assert.Equal(Verdict.Inconclusive, tokens.Verdict.Verdict);
        Assert.Equal("1.1", tokens.Verdict.Version);
        Assert.Equal("not judged: tokens cannot be judged", tokens.Verdict.Reason);
        Assert.Equal(Verdict.Regressed, cells.Single(c => c.Metric.Name == "latency_ms").Verdict.Verdict);
        Assert.Equal(5, cells.Count);
    }
}
