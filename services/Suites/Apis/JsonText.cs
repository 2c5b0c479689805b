using System.Text.Json;

namespace BenchMesh.Suites.Apis;

/// <summary>JSON objects are stored as jsonb text and answered as JSON again.</summary>
internal static class JsonText
{
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
