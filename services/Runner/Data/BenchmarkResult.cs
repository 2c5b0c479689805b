namespace BenchMesh.Runner.Data;

/// <summary>
/// The agent's raw results for one benchmark (the <c>BenchmarkExecuted</c> message as published: every sample), stored
/// by the worker before anything else can fail. They were paid for: a scoring that is lost can be done again from here
/// (<c>POST /benchmarks/runs/{run_id}/retry</c>) without calling the agent again.
/// </summary>
public sealed class BenchmarkResult
{
    public Guid ExecutionId { get; set; }
    public Guid RunId { get; set; }

    /// <summary>The <c>BenchmarkExecuted</c> message as <see cref="ResultBody"/> writes it (the outbox row holds the same string).</summary>
    public required string Body { get; set; }
    public int Samples { get; set; }
    public DateTimeOffset StoredAt { get; set; }
}
