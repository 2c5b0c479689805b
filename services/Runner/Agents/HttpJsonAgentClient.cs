using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Agents;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// <c>http-json</c>: <c>POST {endpoint}</c> with <c>{input, configuration}</c>, answered by
/// <c>{output, usage?: {input_tokens, output_tokens, cached_tokens?}}</c>.
/// </summary>
public sealed class HttpJsonAgentClient(IHttpClientFactory httpClients, AgentSocketTransport? socket = null) : HttpAgentClient(httpClients, socket)
{
    public override string Protocol => AgentProtocols.HttpJson;

    protected override AgentRequest CreateRequest(AgentCall call)
    {
        var body = new JsonObject
        {
            ["input"] = call.Input,
            ["configuration"] = JsonNode.Parse(ModelConfiguration(call.ModelConfigurationJson).GetRawText()),
        };
        return new AgentRequest(new Uri(call.Endpoint, UriKind.Absolute), JsonBody(body), [], call.ApiKey);
    }

    protected override async Task<AgentCallResult> ReadResponseAsync(Stream body, string? mediaType, Func<double> elapsedMs, CancellationToken ct)
    {
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return Read(doc.RootElement);
    }

    /// <summary>
    /// The whole answer is read before it is parsed (http-json has no TTFT within its body), so the socket path parses
    /// its bytes as they are, without a stream and an async parse around them. As <see cref="JsonDocument.ParseAsync"/>
    /// does, a leading UTF-8 byte order mark is skipped.
    /// </summary>
    protected override AgentCallResult? ReadResponse(ReadOnlyMemory<byte> body, string? mediaType)
    {
        using var doc = JsonDocument.Parse(body.Span.StartsWith(Utf8Bom) ? body[Utf8Bom.Length..] : body);
        return Read(doc.RootElement);
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static AgentCallResult Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("output", out var output) || output.ValueKind == JsonValueKind.Null)
        {
            throw new InvalidAgentResponseException("The agent's answer has no \"output\".");
        }

        long? inputTokens = null, outputTokens = null, cachedTokens = null;
        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            inputTokens = ReadLong(usage, "input_tokens", "prompt_tokens");
            outputTokens = ReadLong(usage, "output_tokens", "completion_tokens");
            cachedTokens = ReadLong(usage, "cached_tokens");
        }

        return new AgentCallResult
        {
            // A structured output is kept as its JSON text, so rubrics like json_schema can judge it.
            Output = output.ValueKind == JsonValueKind.String ? output.GetString() : output.GetRawText(),
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            CachedInputTokens = cachedTokens,
        };
    }
}
