using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchMesh.SampleAgents.Domain;
using BenchMesh.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchMesh.SampleAgents.Apis;

public sealed record ChatMessage(string? Role, JsonElement? Content);

public sealed record StreamOptions(bool? IncludeUsage);

public sealed record ChatCompletionRequest(
    string? Model, IReadOnlyList<ChatMessage>? Messages, int? MaxTokens, double? Temperature, bool? Stream, StreamOptions? StreamOptions);

public sealed record ChatResponseMessage(string Role, string Content);

public sealed record ChatChoice(int Index, ChatResponseMessage Message, string FinishReason);

public sealed record ChatUsage(int PromptTokens, int CompletionTokens, int TotalTokens);

public sealed record ChatCompletion(string Id, string Object, long Created, string Model, IReadOnlyList<ChatChoice> Choices, ChatUsage Usage);

public sealed record ChunkDelta(string? Role, string? Content);

public sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason);

public sealed record ChatCompletionChunk(string Id, string Object, long Created, string Model, IReadOnlyList<ChunkChoice> Choices, ChatUsage? Usage);

public sealed record OpenAiErrorBody(string Message, string Type, string? Code);

public sealed record OpenAiError(OpenAiErrorBody Error);

/// <summary>
/// The <c>openai-chat</c> protocol: OpenAI's chat completions, plain JSON or streamed as Server-Sent Events.
/// The agent answers the last user message.
/// </summary>
public static class OpenAiChatApi
{
    private static readonly JsonSerializerOptions ChunkJson = new(ServiceDefaultsExtensions.PublicJson)
    {
        // OpenAI's chunks omit what a delta does not carry.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapOpenAiChatAgentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/openai/{profile}/v1/chat/completions", HandleAsync)
            .WithTags("openai-chat")
            .WithSummary("OpenAI-compatible chat completions (stream or not).");
        return app;
    }

    public static async Task<Results<Ok<ChatCompletion>, ServerSentEventsResult<string>, ValidationProblem, ProblemHttpResult, JsonHttpResult<OpenAiError>>> HandleAsync(
        string profile, ChatCompletionRequest request, [AsParameters] OverrideQuery query, AgentRuntime runtime, CancellationToken ct)
    {
        var (resolved, errors) = runtime.Profiles.Resolve(profile, query.ToOverrides());
        var question = request.Messages?.LastOrDefault(m => string.Equals(m.Role, "user", StringComparison.OrdinalIgnoreCase)) is { } user
            ? TextOf(user.Content)
            : null;
        if (request.Messages is null || request.Messages.Count == 0)
        {
            errors.Add("messages", "is required.");
        }
        else if (question is null)
        {
            errors.Add("messages", "must contain a user message with text content.");
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        if (resolved is null)
        {
            return runtime.UnknownProfile(profile);
        }

        var prompt = string.Join('\n', request.Messages!.Select(m => TextOf(m.Content) ?? ""));
        var turn = runtime.Agent.Play(resolved, question!, prompt);
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = string.IsNullOrWhiteSpace(request.Model) ? profile : request.Model;
        var usage = new ChatUsage(turn.InputTokens, turn.OutputTokens, turn.InputTokens + turn.OutputTokens);

        if (turn.Fails)
        {
            await Task.Delay(turn.Latency, ct);
            return TypedResults.Json(
                new OpenAiError(new OpenAiErrorBody("Simulated agent failure.", "server_error", null)),
                statusCode: StatusCodes.Status500InternalServerError);
        }

        if (request.Stream == true)
        {
            var includeUsage = request.StreamOptions?.IncludeUsage == true;
            return TypedResults.ServerSentEvents(StreamAsync(turn, id, created, model, includeUsage ? usage : null, ct));
        }

        await Task.Delay(turn.Latency, ct);
        return TypedResults.Ok(new ChatCompletion(
            id, "chat.completion", created, model,
            [new ChatChoice(0, new ChatResponseMessage("assistant", turn.Output), "stop")],
            usage));
    }

    /// <summary>
    /// The latency is spent before the first content chunk (that is what time to first token measures); the
    /// rest of the answer follows word by word.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(
        AgentTurn turn, string id, long created, string model, ChatUsage? usage, [EnumeratorCancellation] CancellationToken ct)
    {
        string Chunk(ChunkDelta? delta, string? finishReason, ChatUsage? chunkUsage) => JsonSerializer.Serialize(
            new ChatCompletionChunk(id, "chat.completion.chunk", created, model,
                delta is null ? [] : [new ChunkChoice(0, delta, finishReason)], chunkUsage),
            ChunkJson);

        yield return new SseItem<string>(Chunk(new ChunkDelta("assistant", ""), null, null));
        await Task.Delay(turn.Latency, ct);

        var words = turn.Output.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            yield return new SseItem<string>(Chunk(new ChunkDelta(null, i == 0 ? words[i] : " " + words[i]), null, null));
        }

        yield return new SseItem<string>(Chunk(new ChunkDelta(null, null), "stop", null));
        if (usage is not null)
        {
            yield return new SseItem<string>(Chunk(null, null, usage));
        }

        yield return new SseItem<string>("[DONE]");
    }

    /// <summary>A message's text: a string, or the text parts of an array of content parts.</summary>
    private static string? TextOf(JsonElement? content)
    {
        switch (content)
        {
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString();
            case { ValueKind: JsonValueKind.Array } parts:
                var text = new StringBuilder();
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                    {
                        text.Append(t.GetString());
                    }
                }

                return text.ToString();
            default:
                return null;
        }
    }
}
