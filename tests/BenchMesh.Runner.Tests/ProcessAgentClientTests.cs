using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using Microsoft.Extensions.Configuration;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The process client against real programs: the sample adapter in front of Debian's bc, jq, head, sleep. Each test
/// checks what the runner records (output, memory, CPU, error kind) and, where it kills, that nothing is left running.
/// </summary>
public sealed class ProcessAgentClientTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private readonly string _scratch = Directory.CreateTempSubdirectory("benchmesh-process-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static AgentCall Call(string endpoint, string input, TimeSpan? timeout = null) =>
        new(endpoint, input, """{"model":"bc"}""", null, null, timeout ?? Generous);

    [Fact]
    public async Task A_per_call_agent_answers_through_bc_with_its_memory_and_cpu_measured()
    {
        await using var client = SampleProcessAgents.Client();
        var pidFile = Path.Combine(_scratch, "pids");

        // The figures are readings taken while the agent lives (ProcessTreeMonitor): half a second of it (a `sleep 0.5`
        // child before the answer) is 50 intervals, where bc alone could be over before a loaded machine let one run.
        var result = await client.CallAsync(
            Call(SampleProcessAgents.Endpoint(ProcessModes.PerCall, "--sleep-seconds", "0.5", "--pid-file", pidFile), "What is 12 * (3 + 4)?"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("84", result.Output);
        Assert.True(result.DurationMs > 0);
        // python3 alone is several MB resident; the figure is the tree's (adapter and bc).
        Assert.True(result.PeakMemoryMb > 1, $"peak {result.PeakMemoryMb} MB");
        Assert.NotNull(result.CpuTimeMs);
        Assert.Null(result.ExceededLimit);
        Assert.All(SampleProcessAgents.ReadPids(pidFile), pid => Assert.False(SampleProcessAgents.IsRunning(pid)));
    }

    [Fact]
    public async Task The_request_is_the_http_json_body_and_jq_alone_can_be_an_agent()
    {
        await using var client = SampleProcessAgents.Client();
        // jq answers with the request it read, as a string: the test sees exactly what an adapter gets on stdin.
        var echo = SampleProcessAgents.Command(["jq", "-c", "{output: tojson}"]);

        var result = await client.CallAsync(Call(echo, "What is 2+3? «é»") with { MessagesJson = """[{"role":"user","content":"What is 2+3?"}]""" }, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        using var request = JsonDocument.Parse(result.Output!);
        Assert.Equal("What is 2+3? «é»", request.RootElement.GetProperty("input").GetString());
        Assert.Equal("bc", request.RootElement.GetProperty("configuration").GetProperty("model").GetString());
        Assert.Equal("user", request.RootElement.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal(["input", "configuration", "messages"], request.RootElement.EnumerateObject().Select(p => p.Name));

        var upper = await client.CallAsync(Call(SampleProcessAgents.Command(["jq", "-c", "{output: (.input | ascii_upcase), usage: {input_tokens: 3, output_tokens: 1}}"]), "abc"), CancellationToken.None);
        Assert.Equal("ABC", upper.Output);
        Assert.Equal((3L, 1L), (upper.InputTokens, upper.OutputTokens));
    }

    [Fact]
    public async Task A_memory_hungry_agent_is_killed_at_its_limit_as_limit_exceeded()
    {
        await using var client = SampleProcessAgents.Client();
        var pidFile = Path.Combine(_scratch, "pids");

        // The agent keeps what it allocated until it is killed (its `sleep 600` child holds it there): only the memory
        // limit ends this call before the timeout. An agent that allocated and exited between two readings could go
        // unseen (ProcessTreeMonitor, "Limits"); this one cannot, however late a reading comes.
        var result = await client.CallAsync(
            Call(SampleProcessAgents.Endpoint(ProcessModes.PerCall, "--hog-mb", "1000", "--sleep-seconds", "600", "--pid-file", pidFile), "1 + 1") with { MemoryLimitMb = 64 },
            CancellationToken.None);

        Assert.Equal(SampleErrorKinds.LimitExceeded, result.ErrorKind);
        Assert.Equal(TerminationReasons.MemoryLimit, result.ExceededLimit);
        Assert.Contains("64 MB", result.Error);
        Assert.True(result.PeakMemoryMb > 64, $"peak {result.PeakMemoryMb} MB");
        // Stopped well before the 1000 MB it asked for: the readings run on a thread of their own, every 10 ms.
        Assert.True(result.PeakMemoryMb < 1000, $"peak {result.PeakMemoryMb} MB");
        Assert.Null(result.Output);
        Assert.All(SampleProcessAgents.ReadPids(pidFile), pid => Assert.False(SampleProcessAgents.IsRunning(pid)));

        // The same agent within a roomy limit answers; it holds its 16 MB for half a second, so that readings see them.
        var roomy = await client.CallAsync(
            Call(SampleProcessAgents.Endpoint(ProcessModes.PerCall, "--hog-mb", "16", "--sleep-seconds", "0.5"), "1 + 1") with { MemoryLimitMb = 4096 },
            CancellationToken.None);
        Assert.True(roomy.Succeeded, roomy.Error);
        Assert.True(roomy.PeakMemoryMb > 16, $"peak {roomy.PeakMemoryMb} MB");
    }

    [Fact]
    public async Task A_sleeping_agent_is_killed_at_the_timeout_with_its_child_processes()
    {
        await using var client = SampleProcessAgents.Client();
        var pidFile = Path.Combine(_scratch, "pids");

        var result = await client.CallAsync(
            Call(SampleProcessAgents.Endpoint(ProcessModes.PerCall, "--sleep-seconds", "600", "--pid-file", pidFile), "1 + 1", TimeSpan.FromSeconds(5)),
            CancellationToken.None);

        Assert.Equal(SampleErrorKinds.Timeout, result.ErrorKind);
        Assert.Contains("killed", result.Error);
        var pids = SampleProcessAgents.ReadPids(pidFile);
        Assert.True(pids.Count == 2, $"the adapter and its sleep child should have started within the timeout: {string.Join(", ", pids)}");
        // SIGKILL is delivered asynchronously: wait until both are gone (or zombies waiting for their reaper).
        await Eventually.TrueAsync(() => Task.FromResult(pids.All(pid => !SampleProcessAgents.IsRunning(pid))), Generous, "the adapter and sleep killed");
    }

    [Fact]
    public async Task Failures_of_the_agent_are_recorded_with_their_cause()
    {
        await using var client = SampleProcessAgents.Client();

        var failed = await client.CallAsync(Call(SampleProcessAgents.Endpoint(ProcessModes.PerCall, "--exit-code", "3"), "1 + 1"), CancellationToken.None);
        Assert.Equal(SampleErrorKinds.ProcessFailed, failed.ErrorKind);
        Assert.Contains("code 3", failed.Error);
        Assert.Contains("calculator: asked to fail", failed.Error);

        var notJson = await client.CallAsync(Call(SampleProcessAgents.Command(["echo", "84"]), "x"), CancellationToken.None);
        Assert.Equal(SampleErrorKinds.InvalidResponse, notJson.ErrorKind);

        var noOutput = await client.CallAsync(Call(SampleProcessAgents.Command(["jq", "-c", "{answer: 1}"]), "x"), CancellationToken.None);
        Assert.Equal(SampleErrorKinds.InvalidResponse, noOutput.ErrorKind);
        Assert.Contains("\"output\"", noOutput.Error);

        // 2 MB of zeros against the 1 MB bound: read no further, kill, invalid_response.
        var flood = await client.CallAsync(Call(SampleProcessAgents.Command(["head", "-c", "2000000", "/dev/zero"]), "x"), CancellationToken.None);
        Assert.Equal(SampleErrorKinds.InvalidResponse, flood.ErrorKind);
        Assert.Contains("more than", flood.Error);

        var missing = await client.CallAsync(Call(SampleProcessAgents.Command(["/nonexistent/agent"]), "x"), CancellationToken.None);
        Assert.Equal(SampleErrorKinds.ProcessFailed, missing.ErrorKind);
        Assert.Contains("not found", missing.Error);
    }

    [Fact]
    public async Task A_json_lines_worker_answers_every_task_of_an_execution_is_restarted_when_it_dies_and_ends_with_it()
    {
        await using var client = SampleProcessAgents.Client();
        var pidFile = Path.Combine(_scratch, "pids");
        var endpoint = SampleProcessAgents.Endpoint(ProcessModes.JsonLines, "--json-lines", "--pid-file", pidFile);
        var execution = Guid.NewGuid();
        AgentCall Task(string input) => Call(endpoint, input) with { ExecutionId = execution };

        var answers = new List<AgentCallResult>();
        foreach (var input in new[] { "What is 2 + 3?", "What is 10 / 4?", "What is 2^10?" })
        {
            answers.Add(await client.CallAsync(Task(input), CancellationToken.None));
        }

        Assert.All(answers, a => Assert.True(a.Succeeded, a.Error));
        Assert.Equal(["5", "2.5", "1024"], answers.Select(a => a.Output));
        Assert.All(answers, a => Assert.True(a.PeakMemoryMb > 1 && a.CpuTimeMs is not null));
        var pids = SampleProcessAgents.ReadPids(pidFile);
        Assert.Equal(3, pids.Count);
        var worker = Assert.Single(pids.Distinct()); // one long-lived process answered all three

        // The worker dies between tasks: the next task starts a new one. The client starts a new worker when its Process
        // says HasExited, which turns true only once .NET has reaped the child (its SIGCHLD handler), some time after /proc
        // already shows the worker gone. So waiting on /proc raced with that handler, and a task sent in between went to
        // the dead worker. GetProcessById of a child shares the client's wait state: once WaitForExitAsync returns, the
        // client's HasExited is true as well.
        using (var process = System.Diagnostics.Process.GetProcessById(worker))
        {
            process.Kill();
            using var killed = new CancellationTokenSource(Generous);
            await process.WaitForExitAsync(killed.Token);
        }

        var afterRestart = await client.CallAsync(Task("What is 6 * 7?"), CancellationToken.None);
        Assert.True(afterRestart.Succeeded, afterRestart.Error);
        Assert.Equal("42", afterRestart.Output);
        var restarted = SampleProcessAgents.ReadPids(pidFile).Last();
        Assert.NotEqual(worker, restarted);

        // Another execution has its own worker; the end of an execution stops its worker.
        var other = await client.CallAsync(Call(endpoint, "1 + 1") with { ExecutionId = Guid.NewGuid() }, CancellationToken.None);
        Assert.Equal("2", other.Output);
        Assert.NotEqual(restarted, SampleProcessAgents.ReadPids(pidFile).Last());
        await client.OpenExecution(execution)!.DisposeAsync();
        await Eventually.TrueAsync(() => System.Threading.Tasks.Task.FromResult(!SampleProcessAgents.IsRunning(restarted)), Generous, "the execution's worker stopped");
        Assert.True(SampleProcessAgents.IsRunning(SampleProcessAgents.ReadPids(pidFile).Last()));
    }

    [Fact]
    public async Task A_json_lines_worker_over_its_memory_limit_fails_the_task_and_a_new_one_takes_the_next()
    {
        await using var client = SampleProcessAgents.Client();
        var execution = Guid.NewGuid();
        await using var scope = client.OpenExecution(execution);
        var hungry = SampleProcessAgents.Endpoint(ProcessModes.JsonLines, "--json-lines", "--hog-mb", "1000");

        var first = await client.CallAsync(Call(hungry, "1 + 1") with { ExecutionId = execution, MemoryLimitMb = 64 }, CancellationToken.None);
        var second = await client.CallAsync(Call(hungry, "2 + 2") with { ExecutionId = execution, MemoryLimitMb = 64 }, CancellationToken.None);

        Assert.All([first, second], r =>
        {
            Assert.Equal(SampleErrorKinds.LimitExceeded, r.ErrorKind);
            Assert.Equal(TerminationReasons.MemoryLimit, r.ExceededLimit);
        });
    }

    [Fact]
    public async Task A_json_lines_worker_that_passes_its_limit_and_answers_between_two_readings_is_still_limit_exceeded()
    {
        // No periodic reading within the task (the first would come after an hour): only the one as the task begins and
        // the one after the answer line, when the worker, still alive, shows its peak in VmHWM.
        await using var client = SampleProcessAgents.Client(new ProcessAgentOptions { Enabled = true, SampleIntervalMs = 3_600_000 });
        var execution = Guid.NewGuid();
        await using var scope = client.OpenExecution(execution);
        var pidFile = Path.Combine(_scratch, "pids");
        var hungry = SampleProcessAgents.Endpoint(ProcessModes.JsonLines, "--json-lines", "--hog-mb", "200", "--pid-file", pidFile);

        var result = await client.CallAsync(Call(hungry, "1 + 1") with { ExecutionId = execution, MemoryLimitMb = 64 }, CancellationToken.None);

        Assert.Equal(SampleErrorKinds.LimitExceeded, result.ErrorKind);
        Assert.Equal(TerminationReasons.MemoryLimit, result.ExceededLimit);
        Assert.Null(result.Output);
        Assert.True(result.PeakMemoryMb > 200, $"peak {result.PeakMemoryMb} MB");
        // Only the reading after its answer line can have found the limit passed: the worker answered, and was killed all the same.
        var worker = Assert.Single(SampleProcessAgents.ReadPids(pidFile));
        await Eventually.TrueAsync(() => Task.FromResult(!SampleProcessAgents.IsRunning(worker)), Generous, "the worker killed");
    }

    [Fact]
    public void The_operators_switch_binds_from_the_runner_configuration_and_is_off_by_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Runner:ProcessAgents:Enabled"] = "true",
            ["Runner:ProcessAgents:AllowedExecutables:0"] = "/opt/agents/",
        }).Build();

        var options = configuration.GetSection(ProcessAgentOptions.Section).Get<ProcessAgentOptions>()!;

        Assert.True(options.Enabled);
        Assert.Equal(["/opt/agents/"], options.AllowedExecutables);
        Assert.False(new ProcessAgentOptions().Enabled);
    }

    [Fact]
    public async Task A_runner_where_process_agents_are_off_or_not_allowed_starts_nothing()
    {
        var endpoint = SampleProcessAgents.Endpoint(ProcessModes.PerCall);
        await using var disabled = SampleProcessAgents.Client(new ProcessAgentOptions());
        var refused = await disabled.CallAsync(Call(endpoint, "1 + 1"), CancellationToken.None);
        Assert.Equal(SampleErrorKinds.ProcessFailed, refused.ErrorKind);
        Assert.Contains("Runner:ProcessAgents:Enabled", refused.Error);

        var sampleDirectory = Path.GetDirectoryName(SampleProcessAgents.Calculator)! + "/";
        await using var allowList = SampleProcessAgents.Client(new ProcessAgentOptions { Enabled = true, AllowedExecutables = [sampleDirectory, "jq"] });
        Assert.Equal("2", (await allowList.CallAsync(Call(endpoint, "1 + 1"), CancellationToken.None)).Output);
        Assert.Equal("x", (await allowList.CallAsync(Call(SampleProcessAgents.Command(["jq", "-c", "{output: .input}"]), "x"), CancellationToken.None)).Output);
        var head = await allowList.CallAsync(Call(SampleProcessAgents.Command(["head", "-c", "1", "/dev/zero"]), "x"), CancellationToken.None);
        Assert.Equal(SampleErrorKinds.ProcessFailed, head.ErrorKind);
        Assert.Contains("AllowedExecutables", head.Error);

        var shellLine = await allowList.CallAsync(Call("python3 agent.py", "x"), CancellationToken.None);
        Assert.Equal(SampleErrorKinds.ProcessFailed, shellLine.ErrorKind);
        Assert.Contains("not JSON", shellLine.Error);
    }
}
