namespace BenchMesh.Cli.Commands;

/// <summary>Process exit codes; scripts and CI depend on them (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The run failed or did not finish in time (or the platform answered with a server error).</summary>
    public const int Failed = 1;

    /// <summary>Regressions were found (for run, only with --fail-on-regression, the default).</summary>
    public const int Regressions = 2;

    /// <summary>Invalid command line, or the API rejected the request (4xx ProblemDetails).</summary>
    public const int Usage = 3;

    /// <summary>The gateway could not be reached (or answered that its services are unavailable).</summary>
    public const int Unreachable = 4;

    /// <summary>stress: a threshold failed, or an abort_on_fail threshold stopped the run.</summary>
    public const int ThresholdsFailed = 5;

    /// <summary>
    /// run with --fail-on-regression: no regression, but a cell of the version run is still undecided — inconclusive
    /// while its confirmation runs are pending, or after the confirmation rounds the Regression service runs.
    /// </summary>
    public const int Undecided = 6;
}
