using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Agents;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// <c>openai-chat</c>: <c>POST {endpoint}/v1/chat/completions</c> (see <see cref="AgentProtocols.ChatCompletionsUrl"/>),
/// streamed (for time to first token) with <c>stream_options.include_usage</c>; a server that answers plain JSON
/// instead is read as a non-streaming completion. An item's message list (<see cref="AgentCall.MessagesJson"/>) is sent
/// as the messages; otherwise the input is one user message.
/// </summary>
public sealed class OpenAiChatAgentClient(IHttpClientFactory httpClients, AgentSocketTransport? socket = null) : HttpAgentClient(httpClients, socket)
{
    /// <summary>Model configuration keys that are OpenAI request parameters; others stay BenchMesh's.</summary>
    private static readonly string[] RequestParameters =
        ["model", "temperature", "top_p", "max_tokens", "seed", "stop", "presence_penalty", "frequency_penalty"];

    public override string Protocol => AgentProtocols.OpenAiChat;

    protected override AgentRequest CreateRequest(AgentCall call)
    {
        var body = new JsonObject();
        var configuration = ModelConfiguration(call.ModelConfigurationJson);
        foreach (var name in RequestParameters)
        {
            if (configuration.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                body[name] = JsonNode.Parse(value.GetRawText());
            }
        }

        body["model"] ??= "default";
        if (call.MaxTokens is { } maxTokens && !body.ContainsKey("max_tokens"))
        {
            body["max_tokens"] = maxTokens;
        }

        body["messages"] = Messages(call);
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };

        return new AgentRequest(
            new Uri(AgentProtocols.ChatCompletionsUrl(call.Endpoint), UriKind.Absolute), JsonBody(body), ["text/event-stream", "application/json"], call.ApiKey);
    }

    /// <summary>
    /// The item's messages as written (Suites validated them as a non-empty array of <c>{role, content}</c>); anything
    /// else is sent as the input in one user message, so a malformed list from another publisher still gets an answer.
    /// </summary>
    private static JsonArray Messages(AgentCall call)
    {
        if (!string.IsNullOrWhiteSpace(call.MessagesJson))
        {
            try
            {
                if (JsonNode.Parse(call.MessagesJson) is JsonArray { Count: > 0 } messages)
                {
                    return messages;
                }
            }
            catch (JsonException)
            {
            }
        }

        return new JsonArray(new JsonObject { ["role"] = "user", ["content"] = call.Input });
    }

    protected override async Task<AgentCallResult> ReadResponseAsync(Stream body, string? mediaType, Func<double> elapsedMs, CancellationToken ct)
    {
        mediaType ??= "";
        if (mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadStreamAsync(body, elapsedMs, ct);
        }

        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadCompletionAsync(body, ct);
        }

        throw new InvalidAgentResponseException($"Unexpected content type '{mediaType}'.");
    }

    private static async Task<AgentCallResult> ReadCompletionAsync(Stream stream, CancellationToken ct)
    {
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0
            || !choices[0].TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
        {
            throw new InvalidAgentResponseException("The completion has no choices[0].message.content.");
        }

        var (input, output, cached) = Usage(root);
        return new AgentCallResult { Output = content.GetString(), InputTokens = input, OutputTokens = output, CachedInputTokens = cached };
    }

    /// <summary>
    /// A streamed completion. TTFT is the arrival of the first chunk that carries content (not the role-only opener
    /// nor the first byte of the headers): that is when a user would see the first token. On the socket path
    /// <paramref name="elapsedMs"/> dates a chunk by the receive that completed it, measured from the request written.
    /// </summary>
    private static async Task<AgentCallResult> ReadStreamAsync(Stream stream, Func<double> elapsedMs, CancellationToken ct)
    {
        var text = new StringBuilder();
        double? firstToken = null;
        long? inputTokens = null, outputTokens = null, cachedTokens = null;
        var finished = false;

        await foreach (var item in SseParser.Create(stream).EnumerateAsync(ct))
        {
            var data = item.Data.Trim();
            if (data.Length == 0)
            {
                continue;
            }

            if (data == "[DONE]")
            {
                finished = true;
                break;
            }

            using var chunk = JsonDocument.Parse(data);
            var root = chunk.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidAgentResponseException("A stream chunk is not a JSON object.");
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                throw new InvalidAgentResponseException($"The stream reported an error: {error.GetRawText()}");
            }

            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
                        && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
                        && content.GetString() is { Length: > 0 } piece)
                    {
                        // Time to first token: the first chunk that carries content, not the role-only opener.
                        firstToken ??= elapsedMs();
                        text.Append(piece);
                    }

                    if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
                    {
                        finished = true;
                    }
                }
            }

            var (input, output, cached) = Usage(root);
            inputTokens ??= input;
            outputTokens ??= output;
            cachedTokens ??= cached;
        }

        if (!finished)
        {
            throw new InvalidAgentResponseException("The stream ended before the completion finished.");
        }

        return new AgentCallResult
        {
            Output = text.ToString(),
            TimeToFirstTokenMs = firstToken,
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            CachedInputTokens = cachedTokens,
        };
    }

    /// <summary>Usage: prompt and completion tokens, and the prompt tokens served from cache (<c>prompt_tokens_details.cached_tokens</c>).</summary>
    private static (long? Input, long? Output, long? Cached) Usage(JsonElement root)
    {
        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return (null, null, null);
        }

        var cached = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
            ? ReadLong(details, "cached_tokens")
            : null;
        return (ReadLong(usage, "prompt_tokens", "input_tokens"), ReadLong(usage, "completion_tokens", "output_tokens"), cached);
    }
}
