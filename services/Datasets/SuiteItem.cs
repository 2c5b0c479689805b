using System.Text.Json.Nodes;

namespace BenchMesh.Datasets;

/// <summary>
/// One dataset item in the shape the suite API takes it (<c>benchmarks[].dataset.items[]</c>): what every
/// importer produces. <see cref="SuiteItemJson"/> writes it as JSON; <see cref="DatasetContentHash"/> hashes it.
/// </summary>
/// <param name="Id">The item's id: from the data when mapped, else <c>line-&lt;n&gt;</c>.</param>
/// <param name="Input">A prompt, or a chat message list for <c>openai-chat</c> agents.</param>
/// <param name="Expected">The expected answer (the first acceptable one), if any.</param>
/// <param name="AcceptedOutputs">Every acceptable answer when there are several; null when there is at most one.</param>
/// <param name="ScoringRubric">A rubric for this item only (a JSON object such as <c>{"type":"regex","pattern":"…"}</c>).</param>
public sealed record SuiteItem(
    string Id,
    ItemInput Input,
    string? Expected = null,
    IReadOnlyList<string>? AcceptedOutputs = null,
    JsonObject? ScoringRubric = null);

/// <summary>An item's input: exactly one of <see cref="Text"/> and <see cref="Messages"/> is set.</summary>
public sealed record ItemInput
{
    private ItemInput(string? text, IReadOnlyList<ChatMessage>? messages) => (Text, Messages) = (text, messages);

    public string? Text { get; }

    public IReadOnlyList<ChatMessage>? Messages { get; }

    public static ItemInput FromText(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null);

    public static ItemInput FromMessages(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfZero(messages.Count, nameof(messages));
        return new(null, messages);
    }

    public static implicit operator ItemInput(string text) => FromText(text);
}

/// <summary>One chat turn, as OpenAI Evals, Inspect and the openai-chat protocol write it.</summary>
public sealed record ChatMessage(string Role, string Content);
