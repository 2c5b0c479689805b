using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace BenchMesh.Datasets.Importers;

/// <summary>
/// promptfoo tests written in YAML (or JSON): a list of tests, or a configuration (<c>promptfooconfig.yaml</c>)
/// whose <c>tests</c> list holds them. A configuration's single <c>prompts</c> entry is the template when neither a
/// template nor an input var is given; <c>defaultTest</c> is refused, since its assertions would silently be lost.
/// Errors name the line where each test starts.
/// </summary>
internal static class PromptfooYaml
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IEnumerable<(int Line, JsonElement Test)> Read(byte[] bytes, ref DatasetImportOptions options)
    {
        YamlNode root;
        try
        {
            root = YamlJson.Load(new StringReader(StrictUtf8.GetString(bytes)));
        }
        catch (DecoderFallbackException)
        {
            throw new DatasetFormatException("not valid UTF-8");
        }
        catch (FormatException ex)
        {
            throw new DatasetFormatException(ex.Message, ex);
        }

        var tests = root switch
        {
            YamlSequenceNode list => list,
            YamlMappingNode config => Configuration(config, ref options),
            _ => throw new DatasetFormatException(Line(root), null, "a promptfoo file holds a list of tests or a configuration with 'tests'"),
        };
        return [.. tests.Children.Select(test => (Line(test), Test(test)))];
    }

    private static YamlSequenceNode Configuration(YamlMappingNode config, ref DatasetImportOptions options)
    {
        if (Child(config, "defaultTest") is { } defaults)
        {
            throw new DatasetFormatException(Line(defaults), "defaultTest", "is not supported (put its assertions in each test)");
        }

        if (options.Template is null && options.Mapping.Input is null && Child(config, "prompts") is { } prompts)
        {
            var prompt = prompts switch
            {
                YamlScalarNode single => single,
                YamlSequenceNode { Children.Count: 1 } list when list.Children[0] is YamlScalarNode only => only,
                _ => throw new DatasetFormatException(Line(prompts), "prompts", "several prompts: choose one with a template"),
            };
            var template = prompt.Value ?? "";
            if (template.StartsWith("file://", StringComparison.Ordinal))
            {
                throw new DatasetFormatException(Line(prompt), "prompts", "file:// references are not supported (give the prompt as a template)");
            }

            try
            {
                PromptfooImporter.CheckTemplate(template);
            }
            catch (DatasetFormatException ex)
            {
                throw new DatasetFormatException(Line(prompt), "prompts", ex.Problem ?? ex.Message);
            }

            options = options with { Template = template };
        }

        return Child(config, "tests") as YamlSequenceNode
            ?? throw new DatasetFormatException(Line(config), "tests", "must be a list of tests (file:// references are not supported)");
    }

    private static JsonElement Test(YamlNode test)
    {
        try
        {
            return YamlJson.Convert(test) is System.Text.Json.Nodes.JsonObject json
                ? JsonSerializer.SerializeToElement(json)
                : throw new DatasetFormatException(Line(test), null, "must be a test object with 'vars' and 'assert'");
        }
        catch (FormatException ex)
        {
            throw new DatasetFormatException(ex.Message, ex);
        }
    }

    private static YamlNode? Child(YamlMappingNode mapping, string name) =>
        mapping.Children.TryGetValue(new YamlScalarNode(name), out var value) ? value : null;

    private static int Line(YamlNode node) => (int)node.Start.Line;
}
