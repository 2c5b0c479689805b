using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Cli.Gateway;
using BenchMesh.Cli.Rendering;

namespace BenchMesh.Cli.Commands;

/// <summary>What <c>benchmesh agent register</c> was given: a file, or flags (docs/cli.md).</summary>
public sealed record AgentRegisterArguments
{
    public string? File { get; init; }
    public string? Name { get; init; }
    public string? Workspace { get; init; }
    public string? Protocol { get; init; }
    public string? Endpoint { get; init; }
    public string? Command { get; init; }
    public string? ProcessMode { get; init; }
    public string? Description { get; init; }
    public string? ApiKeyEnv { get; init; }
    public bool ApiKeyStdin { get; init; }
    public decimal? InputPricePerMillion { get; init; }
    public decimal? OutputPricePerMillion { get; init; }
    public decimal? PricePerCall { get; init; }
    public string? Version { get; init; }
    public string? ModelConfig { get; init; }

    /// <summary>--schedule-monthly --suite: create the registration's suggested schedule for this suite.</summary>
    public string? ScheduleSuiteId { get; init; }
}

/// <summary>
/// <c>benchmesh agent register</c>: <c>POST /agents</c> with the registration from <c>--file</c> (JSON or YAML, sent as
/// JSON) or from flags. The API key never travels on the command line, where other users of the machine could read
/// it in the process list: it comes from an environment variable or from standard input.
/// </summary>
internal static class AgentRegisterCommand
{
    public static async Task<int> ExecuteAsync(CommandContext context, CliEnvironment environment, AgentRegisterArguments arguments, CancellationToken ct)
    {
        JsonObject agent;
        try
        {
            agent = arguments.File is { } file ? ReadFile(file) : FromFlags(arguments);
            if (ReadApiKey(environment, arguments) is { } apiKey)
            {
                if (agent.ContainsKey("api_key"))
                {
                    throw new FormatException("the file already holds an api_key; give it in one place only");
                }

                agent["api_key"] = apiKey;
            }
        }
        catch (FormatException ex)
        {
            ProblemRenderer.Message(context.Error, ex.Message);
            return ExitCodes.Usage;
        }

        var response = await context.Gateway.CreateAgentAsync(agent, ct);
        if (!context.Json)
        {
            CreatedRenderer.Agent(context.Out, response.Value);
        }

        if (arguments.ScheduleSuiteId is not { } suiteId)
        {
            if (context.Json)
            {
                JsonOutput.Write(context.Out, response.Json);
            }

            return ExitCodes.Success;
        }

        ApiResponse<ScheduleCreated> schedule;
        try
        {
            schedule = await context.Gateway.CreateScheduleAsync(new ScheduleRequest(
                response.Value.AgentId, suiteId,
                response.Value.SuggestedSchedule?.CronExpression ?? DefaultSchedule,
                response.Value.SuggestedSchedule?.TimeZone ?? "UTC"), ct);
        }
        catch (ApiProblemException) when (context.Json)
        {
            // The agent is registered either way: a refused schedule still prints it, then says why.
            JsonOutput.Write(context.Out, response.Json);
            throw;
        }

        if (context.Json)
        {
            JsonOutput.WriteObject(context.Out, ("agent", response.Json), ("schedule", schedule.Json));
        }
        else
        {
            CreatedRenderer.Schedule(context.Out, schedule.Value);
        }

        return ExitCodes.Success;
    }

    /// <summary>The Suites service's suggestion (docs/api.md, "Schedules"), for a gateway that offers none.</summary>
    private const string DefaultSchedule = "0 3 1,15 * *";

    private static JsonObject ReadFile(string path)
    {
        try
        {
            return DocumentFile.ReadObject(path);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>The registration in the API's JSON; only the options given are sent, so the API's defaults apply.</summary>
    private static JsonObject FromFlags(AgentRegisterArguments arguments)
    {
        var agent = new JsonObject
        {
            ["name"] = arguments.Name,
            ["protocol"] = arguments.Protocol,
        };
        Add(agent, "workspace_id", arguments.Workspace);
        Add(agent, "endpoint", arguments.Endpoint);
        if (arguments.Command is { } command)
        {
            agent["command"] = ParseJson(command, "--command") is JsonArray argv && argv.All(a => a?.GetValueKind() == JsonValueKind.String)
                ? argv
                : throw new FormatException("--command must be a JSON array of strings, e.g. '[\"python3\", \"agent.py\"]'");
        }

        Add(agent, "process_mode", arguments.ProcessMode);
        Add(agent, "description", arguments.Description);
        if (arguments.InputPricePerMillion is not null || arguments.OutputPricePerMillion is not null || arguments.PricePerCall is not null)
        {
            var pricing = new JsonObject();
            Add(pricing, "input_per_million_usd", arguments.InputPricePerMillion);
            Add(pricing, "output_per_million_usd", arguments.OutputPricePerMillion);
            Add(pricing, "per_call_usd", arguments.PricePerCall);
            agent["pricing"] = pricing;
        }

        if (arguments.Version is { } version)
        {
            var entry = new JsonObject { ["version"] = version };
            if (arguments.ModelConfig is { } modelConfig)
            {
                entry["model_configuration"] = ModelConfiguration(modelConfig);
            }

            agent["versions"] = new JsonArray(entry);
        }

        return agent;
    }

    /// <summary><c>--model-config</c>: a JSON object, inline or <c>@file</c> (JSON or YAML).</summary>
    private static JsonObject ModelConfiguration(string value)
    {
        if (value.StartsWith('@'))
        {
            return ReadFile(value[1..]);
        }

        return ParseJson(value, "--model-config") as JsonObject
            ?? throw new FormatException("--model-config must be a JSON object, e.g. '{\"model\": \"gpt-x\", \"temperature\": 0}'");
    }

    private static JsonNode? ParseJson(string text, string option)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            throw new FormatException($"{option} is not valid JSON");
        }
    }

    private static string? ReadApiKey(CliEnvironment environment, AgentRegisterArguments arguments)
    {
        if (arguments.ApiKeyEnv is { } variable)
        {
            return environment.GetEnvironmentVariable(variable) is { Length: > 0 } key
                ? key
                : throw new FormatException($"the environment variable {variable} (--api-key-env) is not set");
        }

        if (arguments.ApiKeyStdin)
        {
            using var input = environment.OpenStandardInput();
            return input.ReadToEnd().TrimEnd('\r', '\n') is { Length: > 0 } key
                ? key
                : throw new FormatException("--api-key-stdin: standard input was empty");
        }

        return null;
    }

    private static void Add(JsonObject target, string name, string? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }

    private static void Add(JsonObject target, string name, decimal? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }
}
