namespace BenchMesh.Runner;

/// <summary>Configuration section <c>Runner</c>.</summary>
public sealed class RunnerOptions
{
    public const string Section = "Runner";

    public WorkerOptions Worker { get; init; } = new();
    public PreflightOptions Preflight { get; init; } = new();
    public ScheduleOptions Schedules { get; init; } = new();

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
}
