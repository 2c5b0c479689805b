using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Datasets;

namespace BenchMesh.Cli.Commands;

/// <summary>Reads an agent or suite file, JSON or YAML (by its extension), as the JSON object the API takes.</summary>
internal static class DocumentFile
{
    // Duplicate keys are refused rather than silently resolved: the API would only ever see one of them.
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static bool IsYaml(string path) => Path.GetExtension(path).ToLowerInvariant() is ".yaml" or ".yml";

    /// <exception cref="FormatException">Not a JSON object (or YAML mapping); the message names the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static JsonObject ReadObject(string path)
    {
        var text = File.ReadAllText(path);
        JsonNode? node;
        if (IsYaml(path))
        {
            node = YamlJson.Parse(new StringReader(text));
        }
        else
        {
            try
            {
                node = JsonNode.Parse(text, documentOptions: Options);
            }
            catch (JsonException ex)
            {
                // The parser's message without its "Path: … | LineNumber: …" tail; the line is given first (when known).
                var reason = ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0];
                throw new FormatException(ex.LineNumber is { } line ? $"line {line + 1}: not valid JSON ({reason})" : $"not valid JSON ({reason})", ex);
            }
        }

        return node as JsonObject ?? throw new FormatException("must hold an object (a mapping, in YAML)");
    }
}
