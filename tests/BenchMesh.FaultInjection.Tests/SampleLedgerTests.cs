using BenchMesh.FaultInjection;

namespace BenchMesh.FaultInjection.Tests;

public sealed class SampleLedgerTests
{
    private static readonly Guid A = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid B = Guid.Parse("00000000-0000-0000-0000-00000000000b");

    /// <summary>Every (iteration, item) of a benchmark once, measured.</summary>
    private static IEnumerable<StoredSample> Execution(Guid benchmark, int items, int iterations) =>
        from iteration in Enumerable.Range(0, iterations)
        from item in Enumerable.Range(0, items)
        select new StoredSample(benchmark, iteration, $"i{item}", Measured: true);

    [Fact]
    public void A_run_that_stored_every_execution_once_with_every_sample_is_exact()
    {
        var check = SampleLedger.Check([A, B], items: 3, iterations: 2, [A, B], [.. Execution(A, 3, 2), .. Execution(B, 3, 2)]);

        Assert.Equal(new LedgerCheck(ExpectedSamples: 12, Lost: 0, CountedTwice: 0, MissingExecutions: 0, DuplicateExecutions: 0), check);
        Assert.True(check.IsExact);
    }

    [Fact]
    public void A_missing_execution_loses_all_of_its_samples()
    {
        var check = SampleLedger.Check([A, B], items: 3, iterations: 2, [A], [.. Execution(A, 3, 2)]);

        Assert.Equal(6, check.Lost);
        Assert.Equal(0, check.CountedTwice);
        Assert.Equal(1, check.MissingExecutions);
        Assert.False(check.IsExact);
    }

    [Fact]
    public void A_benchmark_stored_twice_counts_each_of_its_samples_twice()
    {
        var check = SampleLedger.Check([A, B], items: 3, iterations: 2, [A, B, B], [.. Execution(A, 3, 2), .. Execution(B, 3, 2), .. Execution(B, 3, 2)]);

        Assert.Equal(0, check.Lost);
        Assert.Equal(6, check.CountedTwice);
        Assert.Equal(1, check.DuplicateExecutions);
    }

    [Fact]
    public void A_stored_sample_that_measured_nothing_is_lost_and_a_repeated_key_is_counted_twice()
    {
        var samples = Execution(A, 2, 1).ToList();
        samples[1] = samples[1] with { Measured = false };     // e.g. skipped: stored, but the call was not made
        samples.Add(samples[0]);                               // the same (iteration, item) stored again

        var check = SampleLedger.Check([A], items: 2, iterations: 1, [A], samples);

        Assert.Equal(1, check.Lost);
        Assert.Equal(1, check.CountedTwice);
    }

    [Fact]
    public void Samples_of_a_benchmark_outside_the_suite_count_as_twice()
    {
        var stranger = Guid.Parse("00000000-0000-0000-0000-00000000000c");
        var check = SampleLedger.Check([A], items: 1, iterations: 1, [A, stranger], [.. Execution(A, 1, 1), .. Execution(stranger, 1, 1)]);

        Assert.Equal(0, check.Lost);
        Assert.Equal(1, check.CountedTwice);
    }
}
