using System.Text;
using System.Text.Json;

namespace BenchMesh.Datasets.Importers;

/// <summary>Reads a JSON-lines file: one JSON object per line; blank lines are skipped but still counted.</summary>
internal static class JsonLines
{
    // Duplicate keys are refused: with them a line would mean whatever the last (or first) reader decided.
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    // Strict UTF-8: a file in another encoding is an error, not text with replacement characters in it.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <remarks>
    /// Lines are split as bytes and decoded one by one, so that invalid UTF-8 is reported on its own line (a stream
    /// reader decodes whole buffers ahead of the line being read).
    /// </remarks>
    public static IEnumerable<(int Line, JsonElement Record)> Read(Stream stream) => Read(ReadAll(stream));

    public static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    public static IEnumerable<(int Line, JsonElement Record)> Read(byte[] bytes)
    {
        var start = bytes.AsSpan().StartsWith(StrictUtf8.Preamble) ? StrictUtf8.Preamble.Length : 0;
        for (var line = 1; start < bytes.Length; line++)
        {
            var length = Array.IndexOf(bytes, (byte)'\n', start) is var end and >= 0 ? end - start : bytes.Length - start;
            var text = Decode(bytes, start, length, line);
            start += length + 1;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return (line, Parse(text, line));
            }
        }
    }

    private static string Decode(byte[] bytes, int start, int length, int line)
    {
        try
        {
            return StrictUtf8.GetString(bytes, start, length).TrimEnd('\r');
        }
        catch (DecoderFallbackException)
        {
            throw new DatasetFormatException(line, null, "not valid UTF-8");
        }
    }

    private static JsonElement Parse(string text, int line)
    {
        try
        {
            using var document = JsonDocument.Parse(text, Options);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new DatasetFormatException(line, null, "must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException(line, null, ex.BytePositionInLine is { } position
                ? $"not valid JSON (at character {position + 1})"
                : $"not valid JSON ({ex.Message})");
        }
    }
}
