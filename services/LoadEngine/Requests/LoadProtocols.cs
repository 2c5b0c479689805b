using BenchMesh.Contracts.Agents;

namespace BenchMesh.LoadEngine.Requests;

/// <summary>What a request looks like on the wire: a plain GET, or an agent protocol's POST.</summary>
public static class LoadProtocols
{
    /// <summary><c>GET {url}</c>; any answer body is accepted (only drained).</summary>
    public const string Raw = "raw";

    /// <summary><c>POST {url}</c> with <c>{input, configuration}</c>; the answer must be a JSON object with <c>output</c>.</summary>
    public const string HttpJson = AgentProtocols.HttpJson;

    /// <summary><c>POST {url}/v1/chat/completions</c>, not streamed; the answer must carry <c>choices[0].message.content</c>.</summary>
    public const string OpenAiChat = AgentProtocols.OpenAiChat;

    /// <summary>Every protocol the engine speaks.</summary>
    public static readonly IReadOnlyList<string> All = [Raw, HttpJson, OpenAiChat];
}
