using BenchMesh.Cli.Rendering;

namespace BenchMesh.Cli.Commands;

/// <summary>
/// <c>benchmesh compare</c>: the head-to-head of two agent versions on a suite, or with <c>--matrix</c> every pair of
/// several (docs/cli.md). Agents are given as the API takes them: <c>AGENT_ID</c> (its latest version on the suite)
/// or <c>AGENT_ID@VERSION</c>. Exit 0 whoever wins; 3 when the API rejects the request (e.g. no results, 404).
/// </summary>
internal static class CompareCommand
{
    public static async Task<int> ExecuteAsync(CommandContext context, IReadOnlyList<string> agents, string suiteId, bool matrix, CancellationToken ct)
    {
        if (matrix)
        {
            var response = await context.Gateway.CompareMatrixAsync(agents, suiteId, ct);
            if (context.Json)
            {
                JsonOutput.Write(context.Out, response.Json);
            }
            else
            {
                CompareRenderer.RenderMatrix(context.Out, response.Value);
            }
        }
        else
        {
            var response = await context.Gateway.CompareHeadToHeadAsync(agents, suiteId, ct);
            if (context.Json)
            {
                JsonOutput.Write(context.Out, response.Json);
            }
            else
            {
                CompareRenderer.RenderHeadToHead(context.Out, response.Value);
            }
        }

        return ExitCodes.Success;
    }
}
