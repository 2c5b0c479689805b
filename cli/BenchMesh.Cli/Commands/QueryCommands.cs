using BenchMesh.Cli.Gateway;
using BenchMesh.Cli.Rendering;

namespace BenchMesh.Cli.Commands;

/// <summary>The read-only commands: one request, then a table (or the raw JSON with --json).</summary>
internal static class QueryCommands
{
    public static async Task<int> LeaderboardAsync(
        CommandContext context, string? category, string? metric, int? limit, CancellationToken ct, string? groupBy = null, string? status = null)
    {
        var response = await context.Gateway.GetLeaderboardAsync(category, metric, limit, groupBy, status, ct);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response.Json);
        }
        else
        {
            LeaderboardRenderer.Render(context.Out, response.Value);
        }

        return ExitCodes.Success;
    }

    public static async Task<int> ResultsAsync(
        CommandContext context, string agentId, string? suiteId, string? timeframe, int? limit, string? cursor, CancellationToken ct)
    {
        var response = await context.Gateway.GetResultsAsync(agentId, suiteId, timeframe, limit, cursor, ct);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response.Json);
        }
        else
        {
            ResultsRenderer.Render(context.Out, response.Value);
        }

        return ExitCodes.Success;
    }

    public static async Task<int> RunsAsync(CommandContext context, RunListFilter filter, CancellationToken ct)
    {
        var response = await context.Gateway.ListRunsAsync(filter, ct);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response.Json);
        }
        else
        {
            RunListRenderer.Render(context.Out, response.Value);
        }

        return ExitCodes.Success;
    }

    public static async Task<int> RegressionsAsync(CommandContext context, string agentId, string? baseline, double? threshold, CancellationToken ct)
    {
        var response = await context.Gateway.GetRegressionsAsync(agentId, baseline, threshold, ct);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response.Json);
        }
        else
        {
            RegressionRenderer.Render(context.Out, response.Value);
        }

        return response.Value.HasRegressions ? ExitCodes.Regressions : ExitCodes.Success;
    }
}
