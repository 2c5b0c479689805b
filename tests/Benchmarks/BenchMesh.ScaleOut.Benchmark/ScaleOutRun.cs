using System.Diagnostics;
using BenchMesh.FaultInjection;

namespace BenchMesh.ScaleOut.Benchmark;

/// <summary>One measured run: a new agent (its own tag, so the agent counts its calls apart), started and followed.</summary>
public sealed class ScaleOutRun(BenchMeshApi api, PythonAgent agent, HttpClient http)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(15);

    public async Task<ScaleOutResult> RunAsync(SuiteUnderTest suite, string tag, int warmups, int iterations, CancellationToken ct)
    {
        var agentId = await api.CreateAgentAsync(tag, agent.EndpointFor(tag), ct);
        var started = Stopwatch.GetTimestamp();
        var runId = await api.StartRunAsync(agentId, suite.SuiteId, warmups, iterations, ct);
        RunState? state = null;
        // Polled every 100 ms: against runs of 20 s and more, the poll adds under 1 % to either wall time.
        while (Stopwatch.GetElapsedTime(started) < RunTimeout)
        {
            state = await api.GetRunAsync(runId, ct);
            if (state is { IsFinal: true })
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }

        var wall = Stopwatch.GetElapsedTime(started);
        var span = await agent.SpanAsync(http, tag, ct);
        return new ScaleOutResult(state is { IsFinal: true } ? state.Status : "timed out", wall, span.Calls, span.Seconds, state?.FirstError);
    }
}

/// <summary>What one run took: its final status, wall time, and the agent's count and span of its calls.</summary>
public sealed record ScaleOutResult(string Status, TimeSpan Wall, int AgentCalls, double AgentSeconds, string? FirstError)
{
    public bool Complete(int expectedCalls) => Status == "completed" && AgentCalls == expectedCalls;

    public string Describe(int expectedCalls) =>
        $"{Status} in {Wall.TotalSeconds,6:0.0} s; agent calls {AgentCalls}/{expectedCalls} over {AgentSeconds:0.0} s "
        + $"({(Wall.TotalSeconds > 0 ? AgentCalls / Wall.TotalSeconds : 0):0.0} calls/s end to end){(FirstError is { } e ? $"; first error: {e}" : "")}";
}
