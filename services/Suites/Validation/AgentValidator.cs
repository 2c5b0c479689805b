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
        errors.Required("workspace_id", request.WorkspaceId).MaxLength("workspace_id", request.WorkspaceId, Limits.NameLength);
        if (string.IsNullOrWhiteSpace(request.Protocol))
        {
            errors.Add("protocol", "is required.");
        }
        else if (!AgentProtocols.All.Contains(request.Protocol))
        {
            errors.Add("protocol", $"must be one of: {string.Join(", ", AgentProtocols.All)}.");
        }

        ValidateEndpoint("endpoint", request.Endpoint, request.Protocol, required: true, errors);
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

        ValidateEndpoint(prefix + "endpoint", request.Endpoint, protocol, required: false, errors);
        ValidatePricing(prefix + "pricing", request.Pricing, errors);
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
        // A process agent's endpoint is the command line that starts it; every other protocol is reached over HTTP.
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
