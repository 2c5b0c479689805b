using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace BenchMesh.Cli.Rendering;

/// <summary>--json output: the gateway's JSON, indented, written straight to the console's writer so
/// Spectre does not wrap long lines (which would corrupt the document for jq and friends).</summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static void Write(IAnsiConsole console, string json)
    {
        console.Profile.Out.Writer.WriteLine(Indent(json));
        console.Profile.Out.Writer.Flush();
    }

    /// <summary>Several answers as one document, e.g. { "run": …, "regressions": … }.</summary>
    public static void WriteObject(IAnsiConsole console, params (string Name, string? Json)[] members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, json) in members)
            {
                writer.WritePropertyName(name);
                if (json is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteRawValue(json);
                }
            }

            writer.WriteEndObject();
        }

        Write(console, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string Indent(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, Indented))
            {
                document.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
