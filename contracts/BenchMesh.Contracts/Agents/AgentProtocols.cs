namespace BenchMesh.Contracts.Agents;

/// <summary>The wire protocols BenchMesh speaks to agents (see DESIGN.md, "Agents").</summary>
public static class AgentProtocols
{
    /// <summary>OpenAI-compatible <c>POST {endpoint}/v1/chat/completions</c>.</summary>
    public const string OpenAiChat = "openai-chat";

    /// <summary><c>POST {endpoint}</c> with <c>{input, configuration}</c>, answering <c>{output, usage?}</c>.</summary>
    public const string HttpJson = "http-json";

    /// <summary>A command started per task, JSON on stdin and stdout.</summary>
    public const string Process = "process";

    public static readonly IReadOnlyList<string> All = [OpenAiChat, HttpJson, Process];

    /// <summary>Protocols the runner can execute today.</summary>
    public static readonly IReadOnlyList<string> Executable = [OpenAiChat, HttpJson];
}
