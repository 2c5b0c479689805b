using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Credentials;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Messaging.Resilience;
using BenchMesh.Persistence;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Data;
using BenchMesh.Runner.Execution;
using BenchMesh.Runner.Judging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;


namespace BenchMesh.Runner.Consumers;

/// <summary>
/// The worker: executes one benchmark against the agent, stores every raw sample and publishes them (through the outbox)
/// to Scoring. Replicas compete on the queue; a redelivery (a worker died mid-benchmark) re-executes under the same
/// execution id, which Scoring de-duplicates. A command whose benchmark has already finished (scored, or failed), or
/// whose results are already stored, is acknowledged and skipped: executing it again would pay for every agent call twice.
/// <para>
/// The bus never runs this consumer twice for one delivery (see <see cref="Extensions"/>). Instead it is split around the
/// agent calls. The steps before them (reading the benchmark's state, the agent's API key) wait out an outage with
/// <see cref="TransientRetry"/>: nothing has been paid yet. After them only one step remains, storing the results with
/// their <see cref="BenchmarkExecuted"/> in the outbox in one SaveChanges, and it is retried for the same budget while
/// the results are held in memory. Scoring then works from the stored results, and can do it again from them.
/// </para>
/// </summary>
public sealed class RunBenchmarkConsumer(
    RunnerDbContext db,
    TransientRetry retry,
    BenchmarkHeartbeat heartbeat,
    BenchmarkExecutor executor,
    ModelJudge judge,
    AgentClientResolver clients,
    ISuiteCatalog catalog,
    AgentCredentials credentials,
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
        var (recorded, stored) = await retry.ExecuteAsync("Reading the benchmark's state", async token => (
            await db.RunBenchmarks.AsNoTracking()
                .Where(b => b.ExecutionId == message.ExecutionId)
                .Select(b => b.Status)
                .FirstOrDefaultAsync(token),
            await db.BenchmarkResults.AnyAsync(r => r.ExecutionId == message.ExecutionId, token)), ct);
        if (recorded is not null && recorded != RunStatuses.Pending)
        {
            logger.LogInformation(
                "Skipping benchmark {ExecutionId} of run {RunId}: it has already finished ({Status})", message.ExecutionId, message.RunId, recorded);
            return;
        }

        if (stored)
        {
            // The worker that executed it stored the results (and their message, in the outbox) and then died.
            logger.LogInformation(
                "Skipping benchmark {ExecutionId} of run {RunId}: its results are already stored", message.ExecutionId, message.RunId);
            return;
        }

        var startedAt = time.GetUtcNow();

        // Releases what the agent's client keeps for this execution (a json_lines process worker) once it is done.
        await using var execution = clients.Find(message.Agent.Protocol)?.OpenExecution(message.ExecutionId);

        // Idempotent: only the first benchmark to start moves the run out of "queued".
        await retry.ExecuteAsync("Marking the benchmark started", async token =>
        {
            await db.Runs
                .Where(r => r.RunId == message.RunId && r.Status == RunStatuses.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatuses.Running).SetProperty(r => r.StartedAt, startedAt), token);
            await db.RunBenchmarks
                .Where(b => b.ExecutionId == message.ExecutionId && b.Status == RunStatuses.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.LastActivityAt, startedAt), token);
        }, ct);

        var client = clients.Find(message.Agent.Protocol);
        var protectedApiKey = message.Agent.HasApiKey
            ? await retry.ExecuteAsync("Reading the agent's API key",
                async token => (await catalog.GetAgentVersionAsync(message.Agent.AgentId, message.Agent.Version, token))?.ProtectedApiKey, ct)
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
        // Decrypted only now, right before the agent calls, and held by this execution alone. A key this service cannot
        // decrypt fails the benchmark (AgentCredentialUnreadableException says why) rather than call the agent without it.
        var apiKey = protectedApiKey is null ? null : credentials.Unprotect(protectedApiKey);
        // Each item's call, prepared once for all its passes (the HTTP clients encode its request here, not on every call).
        var calls = new Dictionary<DatasetItem, AgentCall>(ReferenceEqualityComparer.Instance);
        if (client is not null)
        {
            foreach (var item in plan.Items)
            {
                calls.TryAdd(item, client.Prepare(new AgentCall(message.Agent.Endpoint, item.Input, message.Agent.ModelConfigurationJson, constraints.MaxTokens, apiKey, timeout)
                {
                    MessagesJson = item.MessagesJson,
                    MemoryLimitMb = constraints.MemoryLimitMb,
                    ExecutionId = message.ExecutionId,
                }));
            }
        }

        ExecutionOutcome outcome;
        await using (heartbeat.Start(message.ExecutionId))
        {
            outcome = await executor.ExecuteAsync(plan, (item, token) => client is null
                // The API refuses such runs; a command from elsewhere still completes (every call failed) instead of poisoning the queue.
                ? Task.FromResult(AgentCallResult.Failure(SampleErrorKinds.Connection, $"Protocol '{message.Agent.Protocol}' cannot be executed.", 0))
                : client.CallAsync(calls[item], token), grade, ct);
        }

        var executed = new BenchmarkExecuted
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
            WorkspaceId = message.WorkspaceId,
        };

        await StoreAsync(executed, ct);

        logger.LogInformation(
            "Executed benchmark {ExecutionId}: {Samples} samples, {Failed} failed, terminated early: {Termination}",
            message.ExecutionId, outcome.Samples.Count, outcome.Samples.Count(s => s.ErrorKind is not null), outcome.Termination?.Reason ?? "no");
    }

    /// <summary>
    /// Stores the paid results and their <see cref="BenchmarkExecuted"/> (outbox) in one SaveChanges, retrying for the
    /// whole transient budget. The service shutting down in the middle loses them (the command is redelivered and the
    /// agent called again), as a crash would; running out of budget fails the benchmark, naming the cause.
    /// </summary>
    private async Task StoreAsync(BenchmarkExecuted executed, CancellationToken ct)
    {
        // Without the samples' null fields (ResultBody); the relay and the retry read it as the outbox's own JSON.
        var body = ResultBody.Serialize(executed);
        try
        {
            await retry.ExecuteAsync("Storing the agent's results", async token =>
            {
                db.ChangeTracker.Clear();
                // A write whose acknowledgement was lost may have committed.
                if (await db.BenchmarkResults.AnyAsync(r => r.ExecutionId == executed.ExecutionId, token))
                {
                    return;
                }

                var now = time.GetUtcNow();
                db.BenchmarkResults.Add(new BenchmarkResult
                {
                    ExecutionId = executed.ExecutionId,
                    RunId = executed.RunId,
                    Body = body,
                    Samples = executed.Samples.Count,
                    StoredAt = now,
                });
                await db.RunBenchmarks
                    .Where(b => b.ExecutionId == executed.ExecutionId && b.Status == RunStatuses.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.LastActivityAt, now), token);
                // The same body as the results row: serialized once (tens of MB at 100,000 samples, docs/timing.md).
                db.AddSerializedOutboxMessage<BenchmarkExecuted>(body);
                try
                {
                    await db.SaveChangesAsync(token);
                }
                catch (DbUpdateException e) when (e.IsUniqueViolation())
                {
                    // Another delivery of the same command stored its own results first; they stand.
                    logger.LogInformation("Results of benchmark {ExecutionId} were stored concurrently", executed.ExecutionId);
                }
            }, ct);
        }
        catch (Exception e) when (TransientFailures.IsTransient(e))
        {
            throw new ResultsNotStoredException(
                $"The agent's results could not be stored: {TransientFailures.Describe(e)} for {retry.Options.BudgetText()}, " +
                "so they are lost; retrying the run executes the benchmark again.", e);
        }
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

/// <summary>The worker called the agent but could not store what it answered; the message says why, in words.</summary>
public sealed class ResultsNotStoredException(string message, Exception inner) : Exception(message, inner);
