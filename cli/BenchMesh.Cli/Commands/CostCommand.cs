using System.CommandLine;
using BenchMesh.Cli.Rendering;

namespace BenchMesh.Cli.Commands;

/// <summary>
/// <c>benchmesh cost AGENT_ID</c>: the agent's cost-efficiency analysis (GET /benchmarks/agents/{agent_id}/cost-analysis)
/// as tables, or the API's JSON with --json. Exit codes as the other read-only commands (docs/cli.md).
/// </summary>
internal static class CostCommand
{
    /// <param name="invoke">Runs the action with the gateway client and turns failures into exit codes (Cli.InvokeAsync).</param>
    public static Command Definition(Func<ParseResult, Func<CommandContext, Task<int>>, CancellationToken, Task<int>> invoke)
    {
        var agent = new Argument<string>("agent") { Description = "Agent id", HelpName = "AGENT_ID" };
        var suite = new Option<string?>("--suite") { Description = "Only this suite's executions", HelpName = "SUITE_ID" };
        var monthlyTasks = new Option<long?>("--monthly-tasks") { Description = "The monthly volume savings are estimated at (default 10,000)", HelpName = "N" };
        monthlyTasks.Validators.Add(result =>
        {
            // Read from the token: GetValueOrDefault throws on a value that is not a number, which the parser reports itself.
            if (result.Tokens is [{ } token] && long.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var value) && value < 1)
            {
                result.AddError("--monthly-tasks must be at least 1.");
            }
        });

        var command = new Command("cost", "Show an agent's cost per task, performance per dollar, efficient configurations and savings") { agent, suite, monthlyTasks };
        command.SetAction((parseResult, ct) => invoke(parseResult, context =>
            ExecuteAsync(context, parseResult.GetRequiredValue(agent), parseResult.GetValue(suite), parseResult.GetValue(monthlyTasks), ct), ct));
        return command;
    }

    public static async Task<int> ExecuteAsync(CommandContext context, string agentId, string? suiteId, long? monthlyTasks, CancellationToken ct)
    {
        var response = await context.Gateway.GetCostAnalysisAsync(agentId, suiteId, monthlyTasks, ct);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response.Json);
        }
        else
        {
            CostRenderer.Render(context.Out, response.Value);
        }

        return ExitCodes.Success;
    }
}
