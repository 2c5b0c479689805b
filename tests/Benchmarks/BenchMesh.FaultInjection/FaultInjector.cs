using System.Diagnostics;

namespace BenchMesh.FaultInjection;

/// <summary>A fault as injected: what was done, and when it ended (a <see cref="Stopwatch"/> timestamp).</summary>
public sealed record InjectedFault(string Description, long EndedAt);

/// <summary>
/// Injects one fault into the private stack. A killed process is started again at once, as a supervisor (Aspire,
/// Kubernetes) would, so that the next run has two runners and two Scoring instances again; the fault ends when the
/// kill is done. A stopped server ends its fault when up.sh reports it ready again.
/// </summary>
public sealed class FaultInjector(PrivateInfrastructure infrastructure, ServiceFleet fleet, PythonAgent agent, HttpClient http, TimeSpan outage)
{
    public async Task<InjectedFault> InjectAsync(FaultKind kind, int repeat, CancellationToken ct)
    {
        switch (kind)
        {
            case FaultKind.RunnerKill:
                // The runner that holds the connection of a call the agent answered in the last second is executing a
                // benchmark now. Both usually are (each takes two of the four benchmarks); the agent's view settles it.
                var ports = await agent.RecentClientPortsAsync(http, ct);
                var owner = SocketOwners.FindOwner(ports, fleet.Runners.Select(r => r.Pid).OfType<int>());
                var runner = fleet.Runners.FirstOrDefault(r => r.Pid == owner);
                return runner is not null
                    ? KillAndStartAgain(runner, "it was calling the agent")
                    : KillAndStartAgain(fleet.Runners[repeat % fleet.Runners.Count], "no runner was calling the agent: chosen in turn");
            case FaultKind.ScoringKill:
                // Injected when a benchmark has made its last call, i.e. while its result is being scored. Which instance
                // took the message cannot be seen from outside: the instances are killed in turn.
                return KillAndStartAgain(fleet.Scorings[repeat % fleet.Scorings.Count], "chosen in turn");
            case FaultKind.RabbitMqRestart:
                return await StopAndStartAsync(PrivateInfrastructure.RabbitMq, TimeSpan.Zero, ct);
            case FaultKind.PostgresStop:
                return await StopAndStartAsync(PrivateInfrastructure.Postgres, outage, ct);
            case FaultKind.RedisStop:
                return await StopAndStartAsync(PrivateInfrastructure.Redis, outage, ct);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static InjectedFault KillAndStartAgain(ManagedProcess victim, string why)
    {
        var pid = victim.Pid;
        victim.Kill();
        var ended = Stopwatch.GetTimestamp();
        victim.Start();
        return new InjectedFault($"SIGKILL {victim.Name} (pid {pid}; {why}), started again", ended);
    }

    private async Task<InjectedFault> StopAndStartAsync(string server, TimeSpan down, CancellationToken ct)
    {
        await infrastructure.StopAsync(server);
        var stopped = Stopwatch.GetTimestamp();
        await Task.Delay(down, ct);
        await infrastructure.UpAsync(server);
        var ended = Stopwatch.GetTimestamp();
        return new InjectedFault($"{server} down for {Stopwatch.GetElapsedTime(stopped, ended).TotalSeconds:0.0} s (stopped until ready again)", ended);
    }
}
