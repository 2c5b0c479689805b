using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>
/// What the analysis calls a configuration: an agent version with the model configuration it ran with. The model
/// configuration is the jsonb column's text, which PostgreSQL normalises (key order, spacing), so equal objects compare
/// equal as strings.
/// </summary>
public sealed record ConfigurationKey(string AgentVersion, string? ModelConfiguration)
{
    /// <summary>A short stable id (12 hex digits of SHA-256 over version and model configuration), for clients to refer to one.</summary>
    public string Id { get; } = Hash(AgentVersion, ModelConfiguration);

    /// <summary>The model configuration's <c>model</c> field when it is a string (how people name a configuration), else null.</summary>
    public string? Model { get; } = ModelOf(ModelConfiguration);

    /// <summary>"1.1" or "1.1 (gpt-4o-mini)": how the opportunity texts name it.</summary>
    public string Label => Model is null ? AgentVersion : $"{AgentVersion} ({Model})";

    private static string Hash(string version, string? model)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(version + "\n" + (model ?? "null")));
        return Convert.ToHexStringLower(bytes)[..12];
    }

    private static string? ModelOf(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object
               && document.RootElement.TryGetProperty("model", out var model)
               && model.ValueKind == JsonValueKind.String
            ? model.GetString()
            : null;
    }
}
