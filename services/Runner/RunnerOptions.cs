using BenchMesh.Runner.Data;

namespace BenchMesh.Runner;

/// <summary>Configuration section <c>Runner</c>.</summary>
public sealed class RunnerOptions
{
    public const string Section = "Runner";

    public WorkerOptions Worker { get; init; } = new();
    public PreflightOptions Preflight { get; init; } = new();
    public ScheduleOptions Schedules { get; init; } = new();
    public SupervisorOptions Supervisor { get; init; } = new();
    public AgentCallOptions AgentCalls { get; init; } = new();

    public sealed class AgentCallOptions
    {
        /// <summary>
        /// Plain http:// agents are called on the runner's own event loop where it can have one (Linux on x86-64 or arm64;
        /// docs/timing.md, "Seventh pass"); false keeps them on .NET's sockets, the path elsewhere.
        /// </summary>
        public bool EventLoop { get; init; } = true;
    }

    public sealed class WorkerOptions
    {
        /// <summary>Benchmarks one worker executes at once; also its prefetch, so a worker holds no more than it runs.</summary>
        public int ConcurrentBenchmarks { get; init; } = 2;
    }

    public sealed class PreflightOptions
    {
        /// <summary>Check that the agent's endpoint accepts a TCP connection before accepting a run.</summary>
        public bool Enabled { get; init; } = true;
        public double TimeoutSeconds { get; init; } = 2;
    }

    public sealed class ScheduleOptions
    {
        /// <summary>
        /// The shortest gap a schedule may leave between two fire times: every firing starts a whole suite run, so a
        /// cron expression firing every second is a mistake in production (the tests lower this).
        /// </summary>
        public int MinimumIntervalSeconds { get; init; } = 300;
    }

    /// <summary>
    /// When the supervisor (<see cref="Execution.RunSupervisor"/>) gives up on a pending benchmark. Each limit is longer
    /// than the bus's transient retry budget (5 minutes), so an outage that is still being waited out is not cut short.
    /// </summary>
    public sealed class SupervisorOptions
    {
        /// <summary>How often one runner replica looks for lost benchmarks.</summary>
        public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>How often a worker executing a benchmark says so (<see cref="RunBenchmarkEntry.LastActivityAt"/>).</summary>
        public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>A benchmark being executed whose worker has said nothing for this long was lost with its worker.</summary>
        public TimeSpan StalledAfter { get; init; } = TimeSpan.FromMinutes(10);

        /// <summary>Results stored this long ago and still not scored: their scoring was lost.</summary>
        public TimeSpan ScoringTimeout { get; init; } = TimeSpan.FromMinutes(15);

        /// <summary>A run not finished this long after it was created (or retried) is ended.</summary>
        public TimeSpan RunDeadline { get; init; } = TimeSpan.FromHours(24);
    }
}
