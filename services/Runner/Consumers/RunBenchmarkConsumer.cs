using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Data;
using BenchMesh.Runner.Execution;
using BenchMesh.Runner.Judging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Consumers;

/// <summary>
/// The worker: executes one benchmark against the agent and publishes every raw sample. Replicas compete on
/// the queue; a redelivery (a worker died mid-benchmark) re-executes under the same execution id, which Scoring
/// de-duplicates. A command whose benchmark has already finished (scored, or failed) is acknowledged and skipped:
/// executing it again would only pay for every agent call twice. There is no in-process retry either (see
/// <see cref="Extensions"/>): a failure sends the command to the error queue and fails the benchmark
/// (<see cref="BenchmarkFaultConsumer"/>).
/// </summary>
public sealed class RunBenchmarkConsumer(
    RunnerDbContext db,
    BenchmarkExecutor executor,
    ModelJudge judge,
    AgentClientResolver clients,
    ISuiteCatalog catalog,
    TimeProvider time,
    ILogger<RunBenchmarkConsumer> logger) : IConsumer<RunBenchmark>
{
    private static readonly string WorkerId = $"{Environment.MachineName}:{Environment.ProcessId}";

    private static readonly string RuntimeDescription =
        $"{RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture}, {Environment.ProcessorCount} cores";

    public async Task Consume(ConsumeContext<RunBenchmark> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        // A command without a row (published by something other than this runner's API) is executed.
        var recorded = await db.RunBenchmarks.AsNoTracking()
            .Where(b => b.ExecutionId == message.ExecutionId)
            .Select(b => b.Status)
            .FirstOrDefaultAsync(ct);
        if (recorded is not null && recorded != RunStatuses.Pending)
        {
            logger.LogInformation(
                "Skipping benchmark {ExecutionId} of run {RunId}: it has already finished ({Status})", message.ExecutionId, message.RunId, recorded);
            return;
        }

        var startedAt = time.GetUtcNow();

        // Releases what the agent's client keeps for this execution (a json_lines process worker) once it is done.
        await using var execution = clients.Find(message.Agent.Protocol)?.OpenExecution(message.ExecutionId);

        // Idempotent: only the first benchmark to start moves the run out of "queued".
        await db.Runs
            .Where(r => r.RunId == message.RunId && r.Status == RunStatuses.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatuses.Running).SetProperty(r => r.StartedAt, startedAt), ct);

        var client = clients.Find(message.Agent.Protocol);
        var apiKey = message.Agent.HasApiKey
            ? (await catalog.GetAgentVersionAsync(message.Agent.AgentId, message.Agent.Version, ct))?.ApiKey
            : null;
        var constraints = message.Benchmark.Constraints;
        // time_limit_ms is the specification's per-task limit: when set, it is the call's timeout (a task over it is a
        // failed "timeout" sample); otherwise the benchmark's timeout_seconds.
        var timeout = constraints.TimeLimitMs is { } limitMs and > 0
            ? TimeSpan.FromMilliseconds(limitMs)
            : TimeSpan.FromSeconds(Math.Max(1, constraints.TimeoutSeconds));
        var plan = new ExecutionPlan(
            message.Benchmark.Items,
            message.Configuration.WarmupRuns,
            message.Configuration.Iterations,
            message.Configuration.Concurrency,
            message.Configuration.MaxConsecutiveFailures,
            message.Agent.Pricing)
        {
            Limits = ExecutionLimits.From(constraints),
        };

        logger.LogInformation(
            "Executing benchmark {BenchmarkName} ({ExecutionId}) of run {RunId} against {AgentName} {Version}: {Items} items x {Iterations}",
            message.Benchmark.Name, message.ExecutionId, message.RunId, message.Agent.AgentName, message.Agent.Version,
            message.Benchmark.Items.Count, message.Configuration.Iterations);

        // The judge is asked within the benchmark's own call timeout, not the agent's task limit.
        var grade = judge.For(message.Benchmark, TimeSpan.FromSeconds(Math.Max(1, constraints.TimeoutSeconds)), ct);
        var outcome = await executor.ExecuteAsync(plan, (item, token) => client is null
            // The API refuses such runs; a command from elsewhere still completes (every call failed) instead of poisoning the queue.
            ? Task.FromResult(AgentCallResult.Failure(SampleErrorKinds.Connection, $"Protocol '{message.Agent.Protocol}' cannot be executed.", 0))
            : client.CallAsync(new AgentCall(message.Agent.Endpoint, item.Input, message.Agent.ModelConfigurationJson, constraints.MaxTokens, apiKey, timeout)
            {
                MessagesJson = item.MessagesJson,
                MemoryLimitMb = constraints.MemoryLimitMb,
                ExecutionId = message.ExecutionId,
            }, token), grade, ct);

        await context.Publish(new BenchmarkExecuted
        {
            RunId = message.RunId,
            ExecutionId = message.ExecutionId,
            SuiteId = message.SuiteId,
            SuiteCategory = message.SuiteCategory,
            Agent = message.Agent,
            Benchmark = message.Benchmark,
            WarmupRuns = message.Configuration.WarmupRuns,
            Iterations = message.Configuration.Iterations,
            TerminatedEarly = outcome.TerminatedEarly,
            Termination = outcome.Termination,
            Concurrency = Math.Max(1, message.Configuration.Concurrency),
            RequestedAt = message.RequestedAt,
            Environment = new ExecutionEnvironment
            {
                WorkerId = WorkerId,
                Host = Environment.MachineName,
                Runtime = RuntimeDescription,
                Transport = client?.DescribeTransport(message.Agent) ?? message.Agent.Protocol,
                EndpointFingerprint = EndpointFingerprint(message.Agent),
            },
            Warmup = outcome.Warmup,
            Samples = outcome.Samples,
            WorkerId = WorkerId,
            StartedAt = startedAt,
            CompletedAt = time.GetUtcNow(),
        }, ct);

        logger.LogInformation(
            "Executed benchmark {ExecutionId}: {Samples} samples, {Failed} failed, terminated early: {Termination}",
            message.ExecutionId, outcome.Samples.Count, outcome.Samples.Count(s => s.ErrorKind is not null), outcome.Termination?.Reason ?? "no");
    }

    /// <summary>
    /// First 16 hex digits of SHA-256(protocol + '\n' + endpoint): executions against one endpoint can be grouped
    /// without the endpoint (which may carry a host name or a query string worth keeping private) in every row.
    /// </summary>
    public static string EndpointFingerprint(AgentSnapshot agent) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{agent.Protocol}\n{agent.Endpoint}")))[..16];
}

/// <summary>
/// Bounds what one worker runs and holds: <c>Runner:Worker:ConcurrentBenchmarks</c> benchmarks at once, and the
/// same prefetch, so queued benchmarks stay on the broker for other replicas instead of waiting in this one.
/// </summary>
public sealed class RunBenchmarkConsumerDefinition : ConsumerDefinition<RunBenchmarkConsumer>
{
    private readonly int _concurrentBenchmarks;

    public RunBenchmarkConsumerDefinition(IOptions<RunnerOptions> options)
    {
        _concurrentBenchmarks = Math.Max(1, options.Value.Worker.ConcurrentBenchmarks);
        ConcurrentMessageLimit = _concurrentBenchmarks;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RunBenchmarkConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _concurrentBenchmarks;
        endpointConfigurator.ConcurrentMessageLimit = _concurrentBenchmarks;
    }
}
