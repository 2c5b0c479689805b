using System.Net;
using Spectre.Console;
using BenchMesh.Cli.Gateway;
using BenchMesh.Cli.Rendering;

namespace BenchMesh.Cli.Commands;

internal sealed record RunArguments(
    string AgentId,
    string? Version,
    string SuiteId,
    int? Iterations,
    int? Warmup,
    int? Concurrency,
    int? TimeoutSeconds,
    bool FailOnRegression);

/// <summary>benchmesh run: start a run, follow it, print the report, then check for regressions.</summary>
internal static class RunCommand
{
    /// <summary>How long the CLI follows a run when --timeout is not given.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(10);

    public static async Task<int> ExecuteAsync(CommandContext context, RunArguments args, CancellationToken ct)
    {
        var configuration = args is { Iterations: null, Warmup: null, Concurrency: null, TimeoutSeconds: null }
            ? null
            : new RunConfiguration(args.Warmup, args.Iterations, args.Concurrency, args.TimeoutSeconds);
        var accepted = await context.Gateway.StartRunAsync(
            new RunRequest(args.AgentId, args.Version, args.SuiteId, AsyncExecution: true, configuration), ct);
        var runId = accepted.Value.RunId;

        // With --json stdout carries only the final document; progress goes to stderr.
        var progressConsole = context.Json ? context.Error : context.Out;
        progressConsole.Write(new Text($"Started run {runId} (agent {args.AgentId}, suite {args.SuiteId}){Environment.NewLine}"));

        // The latest raw answer, for --json.
        string? lastRunJson = null;
        var wait = args.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultWait;
        var tracked = await new RunProgressDisplay(progressConsole, context.PollInterval)
            .TrackAsync(runId, async token =>
            {
                var response = await context.Gateway.GetRunAsync(runId, token);
                lastRunJson = response.Json;
                return response.Value;
            }, wait, ct);
        var run = tracked.Run;

        if (!tracked.Finished)
        {
            WriteJson(context, lastRunJson, null);
            ProblemRenderer.Message(context.Error,
                $"run {runId} did not finish within {wait.TotalSeconds:0} s (status {run.Status}, {run.Progress?.CompletedBenchmarks ?? 0}/{run.Progress?.TotalBenchmarks ?? 0} benchmarks); follow it with GET /benchmarks/runs/{runId}");
            return ExitCodes.Failed;
        }

        if (run.Status != RunStatuses.Completed)
        {
            WriteJson(context, lastRunJson, null);
            if (!context.Json)
            {
                ReportRenderer.Render(context.Out, run);
            }

            ProblemRenderer.Message(context.Error, $"run {runId} failed" + (string.IsNullOrEmpty(run.ErrorMessage) ? "" : $": {run.ErrorMessage}"));
            return ExitCodes.Failed;
        }

        if (!context.Json)
        {
            ReportRenderer.Render(context.Out, run);
        }

        return await CheckRegressionsAsync(context, args, run, lastRunJson, ct);
    }

    private static void WriteJson(CommandContext context, string? runJson, string? regressionsJson)
    {
        if (context.Json)
        {
            JsonOutput.WriteObject(context.Out, ("run", runJson), ("regressions", regressionsJson));
        }
    }

    private static async Task<int> CheckRegressionsAsync(CommandContext context, RunArguments args, RunStatus run, string? runJson, CancellationToken ct)
    {
        ApiResponse<RegressionReport> response;
        try
        {
            response = await GetSettledRegressionsAsync(context, args.AgentId, run, ct);
        }
        catch (ApiProblemException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // A first version has nothing to regress from: that is not a failure of the run.
            WriteJson(context, runJson, null);
            Note(context, $"No regression check: {ex.Problem.Detail ?? ex.Problem.Title ?? "no baseline for this agent yet"}.");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (!args.FailOnRegression && ex is ApiProblemException or GatewayUnreachableException or UnexpectedResponseException)
        {
            WriteJson(context, runJson, null);
            Note(context, $"Regression check skipped: {ex.Message}");
            return ExitCodes.Success;
        }

        var report = response.Value;
        WriteJson(context, runJson, response.Json);
        if (!context.Json)
        {
            context.Out.WriteLine();
            RegressionRenderer.Render(context.Out, report);
        }

        // The endpoint compares the agent's latest version; when an older version was run, its findings
        // are about a different version and must not fail this run.
        var aboutThisRun = report.CurrentVersion is null || run.AgentVersion is null || report.CurrentVersion == run.AgentVersion;
        if (!aboutThisRun)
        {
            Note(context, $"The regression check covers version {report.CurrentVersion}, not the version run ({run.AgentVersion}); it does not affect the exit code.");
            return ExitCodes.Success;
        }

        if (report.HasRegressions && args.FailOnRegression)
        {
            ProblemRenderer.Message(context.Error, $"{report.Regressions?.Count ?? 0} regression(s) in version {report.CurrentVersion} against {report.BaselineVersion} (recommended action: {report.RecommendedAction ?? Cells.Missing})");
            return ExitCodes.Regressions;
        }

        // A cell the service is still confirming (or could not settle with its confirmation rounds) is neither a pass
        // nor a regression: a CI gate must be able to tell "not decided yet" from "fine".
        var undecided = (report.Verdicts ?? []).Where(v => v.Verdict == "inconclusive" && v.Confirmation is not null).ToList();
        if (undecided.Count > 0 && args.FailOnRegression)
        {
            var pending = undecided.Count(v => v.Confirmation == "pending");
            ProblemRenderer.Message(context.Error,
                $"{undecided.Count} cell(s) of version {report.CurrentVersion} still undecided ({pending} with confirmation runs pending, {undecided.Count - pending} inconclusive after confirmation): "
                + string.Join(", ", undecided.Select(v => $"{v.BenchmarkName} {v.Metric}")) + $"; check again with benchmesh regressions --agent {args.AgentId}");
            return ExitCodes.Undecided;
        }

        return ExitCodes.Success;
    }

    /// <summary>How many polls to wait for the Regression service to judge the run's scores (10 s by default).</summary>
    private const int RegressionSettlePolls = 10;

    /// <summary>
    /// The Regression service judges each scored benchmark as its ExecutionScored arrives, in parallel with the
    /// run's completion; ask again until its answer covers the version just run and every benchmark of it (or
    /// the settle time passes), so that a regression is not missed by asking too early.
    /// </summary>
    private static async Task<ApiResponse<RegressionReport>> GetSettledRegressionsAsync(
        CommandContext context, string agentId, RunStatus run, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + context.PollInterval * RegressionSettlePolls;
        while (true)
        {
            var response = await context.Gateway.GetRegressionsAsync(agentId, baselineVersion: null, threshold: null, ct);
            var report = response.Value;
            var settled = run.AgentVersion is null
                || (report.CurrentVersion == run.AgentVersion
                    && (report.BaselineVersion is null || report.BenchmarksCompared is null
                        || report.BenchmarksCompared >= (run.Progress?.TotalBenchmarks ?? 0)));
            if (settled || DateTimeOffset.UtcNow >= deadline)
            {
                return response;
            }

            await Task.Delay(context.PollInterval, ct);
        }
    }

    private static void Note(CommandContext context, string message) =>
        (context.Json ? context.Error : context.Out).Write(new Text(message + Environment.NewLine, new Style(Color.Grey)));
}
