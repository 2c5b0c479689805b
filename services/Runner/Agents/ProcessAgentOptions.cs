namespace BenchMesh.Runner.Agents;

/// <summary>
/// Configuration section <c>Runner:ProcessAgents</c>. A process agent is a command the runner starts on its own
/// machine, so running one is the operator's decision: off by default (docs/api.md, "Process agents").
/// </summary>
public sealed class ProcessAgentOptions
{
    public const string Section = "Runner:ProcessAgents";

    /// <summary>Whether this runner starts process agents at all.</summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// The programs (argv[0]) that may be started. An entry is a program path (a bare name is looked up in
    /// <c>PATH</c>) or a directory ending in <c>/</c>, which allows every program under it. Empty: any program.
    /// </summary>
    public string[] AllowedExecutables { get; init; } = [];

    /// <summary>Environment variables passed on from the runner; nothing else is (the runner's own holds credentials).</summary>
    public string[] PassEnvironment { get; init; } = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"];

    /// <summary>The agent's working directory; null: the runner's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Largest answer read from an agent's stdout (per call, or per line in json_lines); more is invalid_response.</summary>
    public int MaxOutputBytes { get; init; } = 1024 * 1024;

    /// <summary>How often the process tree's memory and CPU are read from /proc while a task runs.</summary>
    public int SampleIntervalMs { get; init; } = 10;
}
