using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// <c>process</c>: a local command speaking the <c>http-json</c> protocol's JSON over stdin and stdout
/// (docs/api.md, "Process agents"). The request is <c>{input, configuration, messages?}</c>, the answer
/// <c>{output, usage?: {input_tokens, output_tokens}}</c>.
/// <list type="bullet">
/// <item><c>per_call</c>: the command is started for every task; the request is written to its stdin, which is then
/// closed, and its whole stdout is the answer. A non-zero exit is <c>process_failed</c> with stderr's tail.</item>
/// <item><c>json_lines</c>: one long-lived worker per (endpoint, benchmark execution) reads one request per line and
/// writes one answer per line; calls to it take turns (the duration is measured from the request being written, so the
/// wait for the worker is not the agent's latency), and a worker that dies, times out or misbehaves is killed and
/// started again on the next call.</item>
/// </list>
/// A timeout or the task's <c>memory_limit_mb</c> kills the agent's whole process tree; memory and CPU come from /proc
/// (<see cref="ProcessTreeMonitor"/>). Only where the operator enabled process agents (<see cref="ProcessAgentPolicy"/>).
/// </summary>
public sealed class ProcessAgentClient(ProcessAgentPolicy policy, ILogger<ProcessAgentClient> logger) : IAgentClient, IAsyncDisposable
{
    private static readonly JsonWriterOptions RequestJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentDictionary<(Guid? ExecutionId, string Endpoint), JsonLinesWorker> _workers = new();

    public string Protocol => AgentProtocols.Process;

    public async Task<AgentCallResult> CallAsync(AgentCall call, CancellationToken ct)
    {
        if (!policy.TryAuthorize(call.Endpoint, out var command, out var program, out var refusal))
        {
            return AgentCallResult.Failure(SampleErrorKinds.ProcessFailed, refusal, 0);
        }

        var request = Request(call);
        if (command.Mode == ProcessModes.JsonLines)
        {
            var worker = _workers.GetOrAdd((call.ExecutionId, call.Endpoint), _ => new JsonLinesWorker(policy, command, program, logger));
            return await worker.CallAsync(request, call, ct);
        }

        return await RunOnceAsync(command, program, request, call, ct);
    }

    public IAsyncDisposable? OpenExecution(Guid executionId) => new ExecutionScope(this, executionId);

    /// <summary>"process (per_call)" or "process (json_lines)", for the execution's environment.</summary>
    public string DescribeTransport(AgentSnapshot agent) =>
        ProcessCommand.TryParse(agent.Endpoint, out var command, out _) ? $"process ({command.Mode})" : AgentProtocols.Process;

    /// <summary>Stops the execution's json_lines workers.</summary>
    private async ValueTask EndExecutionAsync(Guid executionId)
    {
        foreach (var key in _workers.Keys.Where(k => k.ExecutionId == executionId).ToList())
        {
            if (_workers.TryRemove(key, out var worker))
            {
                await worker.DisposeAsync();
            }
        }
    }

    private sealed class ExecutionScope(ProcessAgentClient client, Guid executionId) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => client.EndExecutionAsync(executionId);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _workers.Keys.ToList())
        {
            if (_workers.TryRemove(key, out var worker))
            {
                await worker.DisposeAsync();
            }
        }
    }

    private async Task<AgentCallResult> RunOnceAsync(ProcessCommand command, string program, byte[] request, AgentCall call, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(call.Timeout);
        var clock = Stopwatch.StartNew();
        Process process;
        try
        {
            process = policy.Start(command, program);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return AgentCallResult.Failure(SampleErrorKinds.ProcessFailed, $"The command could not be started: {e.Message}", clock.Elapsed.TotalMilliseconds);
        }

        using (process)
        {
            var stderr = new StderrTail(process.StandardError);
            await using var monitor = new ProcessTreeMonitor(
                process.Id, TimeSpan.FromMilliseconds(policy.Options.SampleIntervalMs), call.MemoryLimitMb, () => ProcFs.KillTree(process));
            try
            {
                // Read once more as the answer starts to arrive, while the agent most likely still lives: by the end of its
                // output it has usually exited, and the kernel releases a process's memory (its VmHWM with it) before it
                // closes its stdout, so the reading at the end finds only an agent that closed its stdout itself.
                var stdout = new BoundedReader(process.StandardOutput.BaseStream, policy.Options.MaxOutputBytes).ReadToEndAsync(timeout.Token, monitor.Sample);
                await WriteRequestAsync(process.StandardInput.BaseStream, request, closeAfter: true, timeout.Token);
                var answer = await stdout;
                monitor.Sample();
                if (answer is null)
                {
                    ProcFs.KillTree(process);
                    return Measured(AgentCallResult.Failure(SampleErrorKinds.InvalidResponse,
                        $"The agent wrote more than {policy.Options.MaxOutputBytes} bytes to stdout.", clock.Elapsed.TotalMilliseconds), monitor);
                }

                await process.WaitForExitAsync(timeout.Token);
                var duration = clock.Elapsed.TotalMilliseconds;
                // Descendants the agent left running are not its answer: they go with it.
                ProcFs.KillTree(process);
                if (monitor.LimitExceeded)
                {
                    return MemoryLimitExceeded(call, duration, monitor);
                }

                if (process.ExitCode != 0)
                {
                    return Measured(AgentCallResult.Failure(SampleErrorKinds.ProcessFailed,
                        Exited(process.ExitCode, await stderr.CompleteAsync()), duration), monitor);
                }

                return Measured(ParseAnswer(answer, duration), monitor);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                ProcFs.KillTree(process);
                return monitor.LimitExceeded
                    ? MemoryLimitExceeded(call, clock.Elapsed.TotalMilliseconds, monitor)
                    : Measured(AgentCallResult.Failure(SampleErrorKinds.Timeout,
                        $"No complete answer within {call.Timeout.TotalSeconds:0.###} s; the agent's process tree was killed.", clock.Elapsed.TotalMilliseconds), monitor);
            }
            catch (OperationCanceledException)
            {
                ProcFs.KillTree(process);
                throw;
            }
        }
    }

    /// <summary>The request line/document: <c>{"input":..., "configuration":{...}, "messages":[...]}</c>, UTF-8 as written.</summary>
    internal static byte[] Request(AgentCall call)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, RequestJson))
        {
            writer.WriteStartObject();
            writer.WriteString("input", call.Input);
            writer.WritePropertyName("configuration");
            WriteRawOr(writer, call.ModelConfigurationJson, JsonValueKind.Object, "{}");
            if (!string.IsNullOrWhiteSpace(call.MessagesJson))
            {
                writer.WritePropertyName("messages");
                WriteRawOr(writer, call.MessagesJson, JsonValueKind.Array, "[]");
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes <paramref name="json"/> when it is valid JSON of <paramref name="kind"/>, else <paramref name="fallback"/>.</summary>
    private static void WriteRawOr(Utf8JsonWriter writer, string? json, JsonValueKind kind, string fallback)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? fallback : json);
            if (doc.RootElement.ValueKind == kind)
            {
                doc.RootElement.WriteTo(writer);
                return;
            }
        }
        catch (JsonException)
        {
            // Written as the fallback below.
        }

        writer.WriteRawValue(fallback);
    }

    /// <summary>Parses <c>{output, usage?}</c>; anything else is <c>invalid_response</c>.</summary>
    internal static AgentCallResult ParseAnswer(ReadOnlySpan<byte> answer, double durationMs)
    {
        try
        {
            var reader = new Utf8JsonReader(answer);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("output", out var output) || output.ValueKind == JsonValueKind.Null)
            {
                return AgentCallResult.Failure(SampleErrorKinds.InvalidResponse, "The agent's answer has no \"output\".", durationMs);
            }

            long? inputTokens = null, outputTokens = null;
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                inputTokens = ReadLong(usage, "input_tokens", "prompt_tokens");
                outputTokens = ReadLong(usage, "output_tokens", "completion_tokens");
            }

            return new AgentCallResult
            {
                // As http-json: a structured output is kept as its JSON text.
                Output = output.ValueKind == JsonValueKind.String ? output.GetString() : output.GetRawText(),
                InputTokens = inputTokens,
                OutputTokens = outputTokens,
                DurationMs = durationMs,
            };
        }
        catch (JsonException e)
        {
            return AgentCallResult.Failure(SampleErrorKinds.InvalidResponse, $"The agent's answer is not JSON: {e.Message}", durationMs);
        }
    }

    private static long? ReadLong(JsonElement parent, params string[] names) =>
        names.Select(name => parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : (long?)null)
            .FirstOrDefault(n => n is not null);

    private static async Task WriteRequestAsync(Stream stdin, byte[] request, bool closeAfter, CancellationToken ct)
    {
        try
        {
            await stdin.WriteAsync(request, ct);
            await stdin.FlushAsync(ct);
            if (closeAfter)
            {
                stdin.Close();
            }
        }
        catch (IOException)
        {
            // The agent stopped reading (or exited): its exit code and output say what happened.
        }
    }

    private static AgentCallResult Measured(AgentCallResult result, ProcessTreeMonitor monitor) =>
        result with { PeakMemoryMb = monitor.PeakMemoryMb, CpuTimeMs = monitor.CpuTimeMs };

    private static AgentCallResult MemoryLimitExceeded(AgentCall call, double durationMs, ProcessTreeMonitor monitor) =>
        Measured(AgentCallResult.Failure(SampleErrorKinds.LimitExceeded,
            $"The task passed its memory limit of {call.MemoryLimitMb} MB (peak {monitor.PeakMemoryMb:0.#} MB); the agent's process tree was killed.",
            durationMs), monitor) with { ExceededLimit = TerminationReasons.MemoryLimit };

    private static string Exited(int exitCode, string stderr) =>
        $"The agent exited with code {exitCode}{(stderr.Length > 0 ? $"; stderr: {stderr}" : " and wrote nothing to stderr")}.";

    /// <summary>
    /// A json_lines worker: one process answering one line per request line, started on the first call and again after
    /// it died or was killed; calls take turns.
    /// </summary>
    private sealed class JsonLinesWorker(ProcessAgentPolicy policy, ProcessCommand command, string program, ILogger logger) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _turn = new(1, 1);
        private Process? _process;
        private ProcessTreeMonitor? _monitor;
        private StderrTail? _stderr;
        private BoundedReader? _stdout;
        private bool _disposed;

        public async Task<AgentCallResult> CallAsync(byte[] request, AgentCall call, CancellationToken ct)
        {
            await _turn.WaitAsync(ct);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return await CallInTurnAsync(request, call, ct);
            }
            finally
            {
                _turn.Release();
            }
        }

        private async Task<AgentCallResult> CallInTurnAsync(byte[] request, AgentCall call, CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(call.Timeout);
            var clock = Stopwatch.StartNew();
            if (_process is null || _process.HasExited)
            {
                await StopAsync();
                try
                {
                    Start(call.MemoryLimitMb);
                }
                catch (System.ComponentModel.Win32Exception e)
                {
                    return AgentCallResult.Failure(SampleErrorKinds.ProcessFailed, $"The command could not be started: {e.Message}", clock.Elapsed.TotalMilliseconds);
                }
            }

            var (process, monitor) = (_process!, _monitor!);
            monitor.BeginTask();
            try
            {
                // One request per line: the request JSON is written without indentation, so it holds no raw newline.
                await WriteRequestAsync(process.StandardInput.BaseStream, [.. request, (byte)'\n'], closeAfter: false, timeout.Token);
                var (result, line) = await _stdout!.ReadLineAsync(timeout.Token);
                monitor.Sample();
                var duration = clock.Elapsed.TotalMilliseconds;
                switch (result)
                {
                    case BoundedReader.LineResult.Line:
                        if (monitor.LimitExceeded)
                        {
                            // The reading just taken, or one while the answer was written, found the tree over the limit
                            // (the worker lives on after answering, so VmHWM covers the whole task) and killed it: an
                            // answer from an agent over its limit does not count.
                            await StopAsync();
                            return MemoryLimitExceeded(call, duration, monitor);
                        }

                        var answer = Measured(ParseAnswer(line, duration), monitor);
                        if (!answer.Succeeded)
                        {
                            // A worker that answered with something else may be out of step with its requests.
                            await StopAsync();
                        }

                        return answer;
                    case BoundedReader.LineResult.TooLong:
                        await StopAsync();
                        return Measured(AgentCallResult.Failure(SampleErrorKinds.InvalidResponse,
                            $"The agent wrote a line longer than {policy.Options.MaxOutputBytes} bytes to stdout.", duration), monitor);
                    default:
                        if (monitor.LimitExceeded)
                        {
                            await StopAsync();
                            return MemoryLimitExceeded(call, duration, monitor);
                        }

                        await process.WaitForExitAsync(timeout.Token);
                        // Read before StopAsync disposes the process: a disposed Process has no exit code to give.
                        var exitCode = process.ExitCode;
                        var stderr = await _stderr!.CompleteAsync();
                        await StopAsync();
                        return Measured(AgentCallResult.Failure(SampleErrorKinds.ProcessFailed,
                            "The worker stopped before answering. " + Exited(exitCode, stderr), duration), monitor);
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                var measured = monitor.LimitExceeded
                    ? MemoryLimitExceeded(call, clock.Elapsed.TotalMilliseconds, monitor)
                    : Measured(AgentCallResult.Failure(SampleErrorKinds.Timeout,
                        $"No answer line within {call.Timeout.TotalSeconds:0.###} s; the worker's process tree was killed.", clock.Elapsed.TotalMilliseconds), monitor);
                await StopAsync();
                return measured;
            }
            catch (OperationCanceledException)
            {
                await StopAsync();
                throw;
            }
        }

        private void Start(double? memoryLimitMb)
        {
            var process = policy.Start(command, program);
            _process = process;
            _stderr = new StderrTail(process.StandardError);
            _stdout = new BoundedReader(process.StandardOutput.BaseStream, policy.Options.MaxOutputBytes);
            // The limit is per task, and the benchmark's tasks share it: the worker's peak is reset at each task.
            _monitor = new ProcessTreeMonitor(process.Id, TimeSpan.FromMilliseconds(policy.Options.SampleIntervalMs), memoryLimitMb, () => ProcFs.KillTree(process));
            logger.LogDebug("Started json_lines worker {Pid} for {Command}", process.Id, command);
        }

        private async Task StopAsync()
        {
            if (_process is not { } process)
            {
                return;
            }

            ProcFs.KillTree(process);
            if (_monitor is { } monitor)
            {
                await monitor.DisposeAsync();
            }

            process.Dispose();
            (_process, _monitor, _stderr, _stdout) = (null, null, null, null);
        }

        public async ValueTask DisposeAsync()
        {
            await _turn.WaitAsync();
            try
            {
                _disposed = true;
                await StopAsync();
            }
            finally
            {
                _turn.Release();
            }
        }
    }
}
