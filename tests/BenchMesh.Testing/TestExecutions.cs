using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Testing;

/// <summary>Executions as a Runner worker publishes them, for tests that feed Scoring or store results themselves.</summary>
public static class TestExecutions
{
    /// <summary>
    /// A run of "calc-bot" 1.0 (free, HTTP JSON) on a one-item arithmetic benchmark (q1: "2 + 3?" → "5", exact match),
    /// every id new, with <paramref name="samples"/> as its measured passes (iterations: the highest pass + 1).
    /// </summary>
    public static BenchmarkExecuted Arithmetic(DateTimeOffset startedAt, TimeSpan took, params RawSample[] samples) => new()
    {
        RunId = Guid.NewGuid(),
        ExecutionId = Guid.NewGuid(),
        SuiteId = Guid.NewGuid(),
        SuiteCategory = "reasoning",
        Agent = new AgentSnapshot
        {
            AgentId = Guid.NewGuid(), AgentName = "calc-bot", Version = "1.0", Protocol = AgentProtocols.HttpJson,
            Endpoint = "http://127.0.0.1:1/agent", Pricing = Pricing.Free,
        },
        Benchmark = new BenchmarkDefinition
        {
            BenchmarkId = Guid.NewGuid(),
            Name = "arithmetic",
            Category = "math",
            RubricJson = """{"type":"exact_match"}""",
            Constraints = new BenchmarkConstraints(),
            Items = [new DatasetItem { Id = "q1", Input = "2 + 3?", Expected = "5" }],
        },
        WarmupRuns = 0,
        Iterations = samples.Length == 0 ? 1 : samples.Max(s => s.Iteration) + 1,
        TerminatedEarly = false,
        Samples = samples,
        WorkerId = "worker-1",
        StartedAt = startedAt,
        CompletedAt = startedAt + took,
    };
}
