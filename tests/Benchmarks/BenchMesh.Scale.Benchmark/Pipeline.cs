using System.Diagnostics;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using MassTransit;
using Npgsql;

namespace BenchMesh.Scale.Benchmark;

/// <summary>
/// Scored samples per second of Scoring's consumer over <see cref="Executions"/> executions, and how long Regression took
/// to judge the same executions (from the first publish until it had stored the last: <see cref="RegressionSeconds"/>).
/// </summary>
public sealed record PipelineThroughput(int Executions, int SamplesPerExecution, double Seconds, double? RegressionSeconds)
{
    public double SamplesPerSecond => Executions * SamplesPerExecution / Seconds;

    /// <summary>Regression's time per execution judged, end to end (its consumers run concurrently; this is the drain rate).</summary>
    public double? RegressionMsPerExecution => RegressionSeconds * 1_000 / Executions;
}

/// <summary>
/// Scoring's real entry point: BenchmarkExecuted messages, as the runner publishes them (MassTransit over the private
/// RabbitMQ), for the world's agents and benchmarks (so that the consumer's reads, e.g. the percentile rank over the
/// benchmark's last 30 days, run against the filled table). The clock runs from the first publish until Scoring has
/// stored the last execution, counted in its table by the run id the messages share (a sentinel count, no sleeps).
/// </summary>
public sealed class Pipeline(World world, string rabbitMq, string scoringDatabase, string regressionDatabase)
{
    public async Task<PipelineThroughput> MeasureAsync(int executions, int items, int passes, CancellationToken ct)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(rabbitMq)));
        await bus.StartAsync(ct);
        try
        {
            // A few first, waited for: the consumer's first messages pay for JIT and connection set-up.
            await PublishAndWaitAsync(bus, 8, items, passes, ct);
            var (scored, judged) = await PublishAndWaitAsync(bus, executions, items, passes, ct);
            return new PipelineThroughput(executions, items * passes, scored!.Value.TotalSeconds, judged?.TotalSeconds);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    private async Task<(TimeSpan? Scored, TimeSpan? Judged)> PublishAndWaitAsync(IBusControl bus, int executions, int items, int passes, CancellationToken ct)
    {
        var runId = Guid.NewGuid();
        var random = new Random(executions);
        var messages = Enumerable.Range(0, executions).Select(_ => Message(runId, random, items, passes)).ToList();
        var started = Stopwatch.StartNew();
        foreach (var message in messages)
        {
            await bus.Publish(message, ct);
        }

        var scored = await WaitForAsync(scoringDatabase, "SELECT count(*) FROM scoring.benchmark_executions WHERE run_id = @run")
            ?? throw new TimeoutException($"Scoring did not store {executions} executions within 10 minutes.");
        // Regression stores an execution in the transaction that judges it: the same sentinel count on its table (null:
        // not all within 10 minutes, printed as such; the goal is Scoring's).
        // By primary key: version_results has no index on run_id (a sequential scan every 50 ms would load the machine).
        var judged = await WaitForAsync(regressionDatabase, "SELECT count(*) FROM regression.version_results WHERE execution_id = ANY(@executions)");
        return (scored, judged);

        async Task<TimeSpan?> WaitForAsync(string database, string sql)
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync(ct);
            await using var count = new NpgsqlCommand(sql, connection);
            count.Parameters.Add(sql.Contains("@run", StringComparison.Ordinal)
                ? new NpgsqlParameter("run", runId)
                : new NpgsqlParameter("executions", messages.Select(m => m.ExecutionId).ToArray()));
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while ((long)(await count.ExecuteScalarAsync(ct))! < executions)
            {
                if (DateTime.UtcNow > deadline)
                {
                    return null;
                }

                await Task.Delay(50, ct);
            }

            return started.Elapsed;
        }
    }

    private BenchmarkExecuted Message(Guid runId, Random random, int items, int passes)
    {
        var agent = world.PickAgent(random);
        var benchmark = world.Benchmarks[agent.Suites[random.Next(agent.Suites.Length)]];
        var started = DateTimeOffset.UtcNow.AddMinutes(-2);
        var samples = new List<RawSample>(items * passes);
        for (var pass = 0; pass < passes; pass++)
        {
            for (var item = 0; item < items; item++)
            {
                var right = random.NextDouble() < agent.Skill;
                samples.Add(new RawSample
                {
                    Iteration = pass, ItemId = $"item-{item:000}", Output = right ? $"{item}" : "?",
                    DurationMs = benchmark.LatencyMs / agent.Speed * Math.Exp(0.3 * World.Normal(random)), TimeToFirstTokenMs = 80,
                    InputTokens = 400, OutputTokens = 120, TokensReportedByAgent = true, CostUsd = (decimal)agent.CostPerTask,
                });
            }
        }

        return new BenchmarkExecuted
        {
            RunId = runId,
            ExecutionId = Guid.NewGuid(),
            SuiteId = benchmark.SuiteId,
            SuiteCategory = benchmark.Category,
            Agent = new AgentSnapshot
            {
                AgentId = agent.AgentId, AgentName = agent.Name, Version = agent.Versions[^1], Protocol = AgentProtocols.HttpJson,
                Endpoint = "http://127.0.0.1:1/agent", Pricing = Pricing.Free, WorkspaceId = agent.WorkspaceId,
            },
            Benchmark = new BenchmarkDefinition
            {
                BenchmarkId = benchmark.BenchmarkId,
                Name = benchmark.Name,
                Category = benchmark.Category,
                RubricJson = """{"type":"exact_match"}""",
                Constraints = new BenchmarkConstraints { TargetLatencyMs = 1_000, TargetTokens = 500, TargetCostUsd = 0.01 },
                Items = Enumerable.Range(0, items).Select(i => new DatasetItem { Id = $"item-{i:000}", Input = $"What is {i}?", Expected = $"{i}" }).ToList(),
            },
            WarmupRuns = 0,
            Iterations = passes,
            TerminatedEarly = false,
            Samples = samples,
            WorkerId = "scale-benchmark",
            StartedAt = started,
            CompletedAt = started.AddMinutes(1),
            WorkspaceId = agent.WorkspaceId,
        };
    }
}
