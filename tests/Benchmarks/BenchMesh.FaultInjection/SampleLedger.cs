namespace BenchMesh.FaultInjection;

/// <summary>One stored sample of a run: its benchmark, pass and item, and whether it is a measurement (no error_kind:
/// the agent answered; a <c>skipped</c> or failed call is stored but measured nothing).</summary>
public sealed record StoredSample(Guid BenchmarkId, int Iteration, string ItemId, bool Measured);

/// <summary>What a run should have stored against what it did: every benchmark's execution once, with exactly
/// items × iterations measured samples, one per (benchmark, iteration, item).</summary>
public sealed record LedgerCheck(int ExpectedSamples, int Lost, int CountedTwice, int MissingExecutions, int DuplicateExecutions)
{
    public bool IsExact => Lost == 0 && CountedTwice == 0 && MissingExecutions == 0 && DuplicateExecutions == 0;
}

public static class SampleLedger
{
    /// <summary>
    /// Lost: expected (benchmark, iteration, item) keys with no measured sample (a missing execution loses all of its
    /// samples). Counted twice: measured samples beyond the first of their key (two executions of one benchmark, or one
    /// execution holding a key twice). Samples of benchmarks outside the suite count as twice: they should not exist.
    /// </summary>
    public static LedgerCheck Check(IReadOnlyCollection<Guid> benchmarkIds, int items, int iterations,
        IReadOnlyCollection<Guid> executionBenchmarkIds, IReadOnlyCollection<StoredSample> samples)
    {
        var expected = benchmarkIds.Count * items * iterations;
        var measured = samples.Where(s => s.Measured).ToList();
        var distinctExpected = measured
            .Where(s => benchmarkIds.Contains(s.BenchmarkId))
            .Select(s => (s.BenchmarkId, s.Iteration, s.ItemId))
            .Distinct()
            .Count();
        var executions = executionBenchmarkIds.CountBy(id => id).ToDictionary(kv => kv.Key, kv => kv.Value);
        return new LedgerCheck(
            ExpectedSamples: expected,
            Lost: Math.Max(0, expected - distinctExpected),
            CountedTwice: measured.Count - distinctExpected,
            MissingExecutions: benchmarkIds.Count(id => !executions.ContainsKey(id)),
            DuplicateExecutions: executions.Values.Sum(n => n - 1));
    }
}
