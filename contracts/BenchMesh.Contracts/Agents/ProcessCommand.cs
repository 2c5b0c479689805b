using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BenchMesh.Contracts.Agents;

/// <summary>How a <c>process</c> agent's command is run.</summary>
public static class ProcessModes
{
    /// <summary>The command is started for every task: the request on stdin, one JSON answer on stdout.</summary>
    public const string PerCall = "per_call";

    /// <summary>One long-lived worker per benchmark execution: one JSON object per line each way.</summary>
    public const string JsonLines = "json_lines";

    public static readonly IReadOnlyList<string> All = [PerCall, JsonLines];
}

/// <summary>
/// A <c>process</c> agent's command: an argv array (never a shell string; argv[0] is the program, looked up in
/// <c>PATH</c> when it has no slash) and its <see cref="ProcessModes">mode</see>. It travels as the agent's
/// <c>endpoint</c> string in canonical JSON, <c>{"command":["argv0","arg1",...],"mode":"per_call"}</c>
/// (SHARED-DECISIONS 2): this type is the one place that format is defined, parsed and written.
/// </summary>
public sealed record ProcessCommand
{
    public const int MaxArguments = 64;

    /// <summary>Bound on one argument; 64 of them still fit the endpoint column once encoded.</summary>
    public const int MaxArgumentLength = 1024;

    /// <summary>Bound on the canonical JSON (the endpoint column's length).</summary>
    public const int MaxJsonLength = 2048;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Readable and still canonical: one encoder, one property order, no whitespace.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private ProcessCommand(IReadOnlyList<string> command, string mode)
    {
        Command = command;
        Mode = mode;
    }

    /// <summary>argv: the program, then its arguments, each passed to it exactly as written.</summary>
    public IReadOnlyList<string> Command { get; }

    /// <summary><see cref="ProcessModes.PerCall"/> or <see cref="ProcessModes.JsonLines"/>.</summary>
    public string Mode { get; }

    /// <summary>A command from its parts; null mode means <see cref="ProcessModes.PerCall"/>.</summary>
    public static bool TryCreate(
        IReadOnlyList<string?>? command, string? mode, [NotNullWhen(true)] out ProcessCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        error = ValidateArguments(command) ?? ValidateMode(mode);
        if (error is not null)
        {
            return false;
        }

        var candidate = new ProcessCommand([.. command!.Select(a => a!)], mode ?? ProcessModes.PerCall);
        if (candidate.ToJson().Length > MaxJsonLength)
        {
            error = $"is too long: the command must encode to at most {MaxJsonLength} characters of JSON.";
            return false;
        }

        result = candidate;
        return true;
    }

    /// <summary>Why these arguments are not a command (a message for the <c>command</c> field), or null.</summary>
    public static string? ValidateArguments(IReadOnlyList<string?>? command)
    {
        if (command is null || command.Count == 0)
        {
            return "must be a non-empty array of strings: the program, then its arguments (argv).";
        }

        if (command.Count > MaxArguments)
        {
            return $"must have at most {MaxArguments} elements.";
        }

        for (var i = 0; i < command.Count; i++)
        {
            var argument = command[i];
            if (string.IsNullOrEmpty(argument))
            {
                return $"element {i} must be a non-empty string.";
            }

            if (argument.Length > MaxArgumentLength)
            {
                return $"element {i} must be at most {MaxArgumentLength} characters.";
            }

            // An argv element is a C string: a NUL would silently cut it.
            if (argument.Contains('\0'))
            {
                return $"element {i} must not contain a NUL character.";
            }
        }

        return command[0]!.Trim().Length == 0 ? "element 0 must name a program." : null;
    }

    /// <summary>Why <paramref name="mode"/> is not a mode, or null (null is the default, per_call).</summary>
    public static string? ValidateMode(string? mode) =>
        mode is null || ProcessModes.All.Contains(mode) ? null : $"must be one of: {string.Join(", ", ProcessModes.All)}.";

    /// <summary>Parses an endpoint string; <paramref name="error"/> says why it is not a process command.</summary>
    public static bool TryParse(string? endpoint, [NotNullWhen(true)] out ProcessCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            error = "The endpoint is empty.";
            return false;
        }

        List<string?>? command = null;
        string? mode = null;
        try
        {
            using var doc = JsonDocument.Parse(endpoint);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "The endpoint is not a JSON object.";
                return false;
            }

            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "command" when property.Value.ValueKind == JsonValueKind.Array:
                        command = [.. property.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null)];
                        break;
                    case "mode" when property.Value.ValueKind == JsonValueKind.String:
                        mode = property.Value.GetString();
                        break;
                    default:
                        error = $"The endpoint has an unexpected or mistyped property '{property.Name}'.";
                        return false;
                }
            }
        }
        catch (JsonException)
        {
            error = "The endpoint is not JSON: a process agent's endpoint is {\"command\":[...],\"mode\":...}.";
            return false;
        }

        if (!TryCreate(command, mode, out result, out var fieldError))
        {
            error = $"The endpoint's command {fieldError}";
            return false;
        }

        error = null;
        return true;
    }

    /// <exception cref="FormatException">The endpoint is not a process command.</exception>
    public static ProcessCommand Parse(string endpoint) =>
        TryParse(endpoint, out var command, out var error) ? command : throw new FormatException(error);

    /// <summary>The canonical endpoint string: <c>{"command":[...],"mode":"..."}</c>, no whitespace.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("command");
            foreach (var argument in Command)
            {
                writer.WriteStringValue(argument);
            }

            writer.WriteEndArray();
            writer.WriteString("mode", Mode);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public override string ToString() => ToJson();

    // Value equality over the argv elements, not the list instance.
    public bool Equals(ProcessCommand? other) =>
        other is not null && Mode == other.Mode && Command.SequenceEqual(other.Command, StringComparer.Ordinal);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Mode);
        foreach (var argument in Command)
        {
            hash.Add(argument, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
