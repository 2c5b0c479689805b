using System.Text.Json;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.Suites.Validation;

/// <summary>
/// An item's <c>input</c>: a string, or a chat message list <c>[{"role": "system"|"user"|"assistant", "content": "…"}]</c>
/// for <c>openai-chat</c> agents. A list is stored as <c>DatasetItem.MessagesJson</c>, and its last user turn is the
/// item's plain input for the other protocols.
/// </summary>
public static class ChatInput
{
    public static readonly IReadOnlyList<string> Roles = ["system", "user", "assistant"];

    /// <summary>More turns than any few-shot prompt needs.</summary>
    public const int MaxMessages = 1_000;

    public static void Validate(JsonElement? input, string path, ValidationErrors errors)
    {
        switch (input)
        {
            case { ValueKind: JsonValueKind.String } text:
                errors.Required(path, text.GetString());
                return;
            case { ValueKind: JsonValueKind.Array } messages:
                ValidateMessages(messages, path, errors);
                return;
            case null or { ValueKind: JsonValueKind.Null }:
                errors.Add(path, "is required.");
                return;
            default:
                errors.Add(path, "must be a string or a list of chat messages [{\"role\": \"system|user|assistant\", \"content\": \"…\"}].");
                return;
        }
    }

    private static void ValidateMessages(JsonElement messages, string path, ValidationErrors errors)
    {
        var count = messages.GetArrayLength();
        if (count is 0 or > MaxMessages)
        {
            errors.Add(path, $"must hold between 1 and {MaxMessages} messages.");
            return;
        }

        var index = 0;
        var userTurns = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var messagePath = $"{path}[{index++}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                errors.Add(messagePath, "must be an object {\"role\": …, \"content\": …}.");
                continue;
            }

            foreach (var property in message.EnumerateObject())
            {
                if (property.Name is not ("role" or "content"))
                {
                    errors.Add($"{messagePath}.{property.Name}", "is not a field of a chat message; use role and content.");
                }
            }

            if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !Roles.Contains(role.GetString(), StringComparer.Ordinal))
            {
                errors.Add($"{messagePath}.role", $"must be one of: {string.Join(", ", Roles)}.");
            }
            else if (role.GetString() == "user")
            {
                userTurns++;
            }

            if (!message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                errors.Add($"{messagePath}.content", "is required and must be a string.");
            }
        }

        if (userTurns == 0)
        {
            errors.Add(path, "must contain a user message: its last one is the item's input for agents that take text.");
        }
    }

    /// <summary>A valid input as (plain text, message list JSON or null): the messages reduced to role and content.</summary>
    public static (string Input, string? MessagesJson) Read(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            return (input.GetString()!, null);
        }

        var messages = input.EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToList();
        return (messages.Last(m => m.Role == "user").Content, JsonSerializer.Serialize(messages, ChatMessage.Json));
    }

    private sealed record ChatMessage(string Role, string Content)
    {
        public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    }
}
