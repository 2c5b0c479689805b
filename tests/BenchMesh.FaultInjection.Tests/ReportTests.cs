using BenchMesh.FaultInjection;

namespace BenchMesh.FaultInjection.Tests;

public sealed class ReportTests
{
    private static readonly LedgerCheck Exact = new(ExpectedSamples: 10, Lost: 0, CountedTwice: 0, MissingExecutions: 0, DuplicateExecutions: 0);

    private static RunOutcome Run(string status, LedgerCheck ledger, int calls, double? recovery) =>
        new(FaultKind.PostgresStop, status, ledger, calls, 100, recovery is { } r ? TimeSpan.FromSeconds(r) : null,
            recovery is { } d ? TimeSpan.FromSeconds(d + 10) : null);

    [Fact]
    public void A_fault_passes_only_with_every_run_completed_nothing_lost_and_nothing_twice()
    {
        Assert.True(FaultSummary.From("f", [Run("completed", Exact, 100, 1), Run("completed", Exact, 120, 2)]).Passed);
        Assert.False(FaultSummary.From("f", [Run("completed", Exact, 100, 1), Run("timed out", Exact, 100, null)]).Passed);
        Assert.False(FaultSummary.From("f", [Run("completed", Exact with { Lost = 1 }, 100, 1)]).Passed);
        Assert.False(FaultSummary.From("f", [Run("completed", Exact with { CountedTwice = 3 }, 100, 1)]).Passed);
    }

    [Fact]
    public void Figures_add_up_over_the_runs_and_recovery_comes_from_completed_runs_only()
    {
        var summary = FaultSummary.From("postgres-stop",
        [
            Run("completed", Exact, 100, 4),
            Run("failed", Exact with { Lost = 20 }, 90, null),
            Run("completed", Exact with { CountedTwice = 2 }, 130, 1),
            Run("completed", Exact, 100, 3),
        ]);

        Assert.Equal(new FaultSummary("postgres-stop", Runs: 4, Completed: 3, Lost: 20, CountedTwice: 2, CallsMade: 420, CallsExpected: 400,
            RecoveryMedianSeconds: 3, RecoveryMaxSeconds: 4, DurationMedianSeconds: 13), summary);
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        Assert.Equal(2.5, FaultSummary.Median([4, 1, 2, 3]));
        Assert.Equal(2, FaultSummary.Median([3, 1, 2]));
        Assert.Null(FaultSummary.Median([]));
    }

    [Fact]
    public void The_table_has_a_verdict_line_per_fault_and_none_for_the_clean_run()
    {
        var rows = new[]
        {
            FaultSummary.From("none (clean run)", [Run("completed", Exact, 100, null)]),
            FaultSummary.From("runner-kill", [Run("completed", Exact, 110, 2)]),
            FaultSummary.From("postgres-stop", [Run("timed out", Exact with { Lost = 10 }, 100, null)]),
        };

        var lines = Report.Render(rows, new HashSet<string> { "runner-kill", "postgres-stop" }).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("fault ", lines[0]);
        Assert.Contains("110 / 100", lines[2]);
        Assert.Contains("2.0 (2.0)", lines[2]);
        Assert.Equal("PASS runner-kill: 1/1 runs completed, 0 samples lost, 0 counted twice", lines[4]);
        Assert.Equal("FAIL postgres-stop: 0/1 runs completed, 10 samples lost, 0 counted twice", lines[5]);
        Assert.Equal(6, lines.Length);
    }
}
