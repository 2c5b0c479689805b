using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.ServiceDefaults;
using BenchMesh.Suites.Apis;
using BenchMesh.Suites.Data;

namespace BenchMesh.Suites.Validation;

/// <summary>Field errors of agent registrations and versions, keyed by their snake_case JSON paths.</summary>
public static class AgentValidator
{
    public const decimal MaxPriceUsd = 1_000_000m;
    private const int ApiKeyLength = 4096;

    public static ValidationErrors Validate(CreateAgentRequest request)
    {
        var errors = new ValidationErrors();
        errors.Required("name", request.Name).MaxLength("name", request.Name, Limits.NameLength);
        if (string.IsNullOrWhiteSpace(request.Protocol))
        {
            errors.Add("protocol", "is required.");
        }
        else if (!AgentProtocols.All.Contains(request.Protocol))
        {
            errors.Add("protocol", $"must be one of: {string.Join(", ", AgentProtocols.All)}.");
        }

        if (request.Protocol == AgentProtocols.Process)
        {
            ValidateCommand("", request.Endpoint, request.Command, request.ProcessMode, required: true, errors);
            if (!string.IsNullOrEmpty(request.ApiKey))
            {
                errors.Add("api_key", "is not accepted for a process agent: the runner starts its command and sends it no credential.");
            }
        }
        else
        {
            ValidateEndpoint("endpoint", request.Endpoint, request.Protocol, required: true, errors);
            NotForThisProtocol("", request.Command, request.ProcessMode, errors);
        }

        errors.MaxLength("description", request.Description, Limits.DescriptionLength);
        errors.MaxLength("api_key", request.ApiKey, ApiKeyLength);
        ValidatePricing("pricing", request.Pricing, errors);

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < (request.Versions?.Count ?? 0); i++)
        {
            var path = $"versions[{i}]";
            if (request.Versions![i] is not { } version)
            {
                errors.Add(path, "is required.");
                continue;
            }

            ValidateVersion(version, path + ".", request.Protocol, errors);
            if (version.Version?.Trim() is { Length: > 0 } name && !seen.TryAdd(name, i))
            {
                errors.Add($"{path}.version", $"duplicates versions[{seen[name]}].version.");
            }
        }

        return errors;
    }

    /// <summary>A version added to an existing agent, whose protocol decides what an endpoint override may be.</summary>
    public static ValidationErrors Validate(CreateAgentVersionRequest request, string protocol)
    {
        var errors = new ValidationErrors();
        ValidateVersion(request, "", protocol, errors);
        return errors;
    }

    private static void ValidateVersion(CreateAgentVersionRequest request, string prefix, string? protocol, ValidationErrors errors)
    {
        errors.Required(prefix + "version", request.Version).MaxLength(prefix + "version", request.Version?.Trim(), Limits.VersionLength);
        if (request.ModelConfiguration is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Object) })
        {
            errors.Add(prefix + "model_configuration", "must be a JSON object.");
        }

        if (protocol == AgentProtocols.Process)
        {
            ValidateCommand(prefix, request.Endpoint, request.Command, request.ProcessMode, required: false, errors);
        }
        else
        {
            ValidateEndpoint(prefix + "endpoint", request.Endpoint, protocol, required: false, errors);
            NotForThisProtocol(prefix, request.Command, request.ProcessMode, errors);
        }

        ValidatePricing(prefix + "pricing", request.Pricing, errors);
    }

    /// <summary>
    /// The command of a process agent (or of a version's override) from <c>command</c> and <c>process_mode</c>; null
    /// when <c>command</c> is absent. Call it on a request that <see cref="Validate(CreateAgentRequest)"/> accepted.
    /// </summary>
    public static ProcessCommand? CommandOf(JsonElement? command, string? processMode) =>
        command is { ValueKind: JsonValueKind.Array } argv && ReadArgv(argv) is { } arguments
        && ProcessCommand.TryCreate(arguments, processMode, out var result, out _)
            ? result
            : null;

    /// <summary>
    /// A process agent is started from <c>command</c>, an argv array: never from a shell string, so no quoting,
    /// globbing or expansion can change what runs. <c>endpoint</c> is refused for it (the runner stores the command
    /// there itself), and a version overrides the whole command or none of it.
    /// </summary>
    private static void ValidateCommand(
        string prefix, string? endpoint, JsonElement? command, string? processMode, bool required, ValidationErrors errors)
    {
        if (endpoint is not null)
        {
            errors.Add(prefix + "endpoint",
                "is not accepted for a process agent: give \"command\" (the program and its arguments as an array of strings) and optionally \"process_mode\".");
        }

        if (ProcessCommand.ValidateMode(processMode) is { } modeError)
        {
            errors.Add(prefix + "process_mode", modeError);
        }

        switch (command)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                if (required)
                {
                    errors.Add(prefix + "command", "is required for a process agent: an array of strings, the program and then its arguments, e.g. [\"python3\", \"agent.py\"].");
                }
                else if (processMode is not null)
                {
                    errors.Add(prefix + "process_mode", "needs \"command\" in the same version: a version overrides the whole command or none of it.");
                }

                break;
            case { ValueKind: JsonValueKind.String }:
                errors.Add(prefix + "command",
                    "must be an array of strings (argv), e.g. [\"python3\", \"agent.py\", \"--fast\"], not a shell command line: process agents are never started through a shell.");
                break;
            case { ValueKind: JsonValueKind.Array } argv when ReadArgv(argv) is { } arguments:
                if (!ProcessCommand.TryCreate(arguments, ProcessCommand.ValidateMode(processMode) is null ? processMode : null, out _, out var error))
                {
                    errors.Add(prefix + "command", error);
                }

                break;
            default:
                errors.Add(prefix + "command", "must be an array of strings: the program, then its arguments (argv).");
                break;
        }
    }

    /// <summary>The argv strings, or null when an element is not a string.</summary>
    private static List<string?>? ReadArgv(JsonElement argv) =>
        argv.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) ? [.. argv.EnumerateArray().Select(e => e.GetString())] : null;

    private static void NotForThisProtocol(string prefix, JsonElement? command, string? processMode, ValidationErrors errors)
    {
        if (command is { ValueKind: not JsonValueKind.Null })
        {
            errors.Add(prefix + "command", "is only for protocol process; this agent is reached at \"endpoint\".");
        }

        if (processMode is not null)
        {
            errors.Add(prefix + "process_mode", "is only for protocol process.");
        }
    }

    private static void ValidateEndpoint(string path, string? endpoint, string? protocol, bool required, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            if (required || endpoint is not null)
            {
                errors.Add(path, required ? "is required." : "must not be empty when present.");
            }

            return;
        }

        errors.MaxLength(path, endpoint, Limits.EndpointLength);
        if (protocol is AgentProtocols.OpenAiChat or AgentProtocols.HttpJson
            && !AgentProtocols.TryGetHttpUri(endpoint.Trim(), out _))
        {
            errors.Add(path, "must be an absolute http or https URL.");
        }
    }

    private static void ValidatePricing(string path, PricingRequest? pricing, ValidationErrors errors)
    {
        if (pricing is null)
        {
            return;
        }

        Price($"{path}.input_per_million_usd", pricing.InputPerMillionUsd, errors);
        Price($"{path}.output_per_million_usd", pricing.OutputPerMillionUsd, errors);
        Price($"{path}.per_call_usd", pricing.PerCallUsd, errors);
    }

    private static void Price(string path, decimal? value, ValidationErrors errors)
    {
        if (value is < 0 or > MaxPriceUsd)
        {
            errors.Add(path, $"must be between 0 and {MaxPriceUsd}.");
        }
    }
}
