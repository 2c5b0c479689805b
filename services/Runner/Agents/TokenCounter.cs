using Microsoft.ML.Tokenizers;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// Counts tokens where an agent reports no usage, with the cl100k_base encoding (GPT-4 / GPT-3.5): a real
/// tokenizer, so efficiency and cost stay comparable between agents that report usage and agents that do not.
/// </summary>
public sealed class TokenCounter
{
    private readonly Tokenizer _tokenizer = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    public long Count(string? text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);
}
