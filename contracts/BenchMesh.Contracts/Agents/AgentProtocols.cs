namespace BenchMesh.Contracts.Agents;

/// <summary>The wire protocols BenchMesh speaks to agents (see DESIGN.md, "Agents").</summary>
public static class AgentProtocols
{
    /// <summary>OpenAI-compatible <c>POST {endpoint}/v1/chat/completions</c>.</summary>
    public const string OpenAiChat = "openai-chat";

    /// <summary><c>POST {endpoint}</c> with <c>{input, configuration}</c>, answering <c>{output, usage?}</c>.</summary>
    public const string HttpJson = "http-json";

    /// <summary>
    /// A local command (argv, never a shell string) speaking JSON on stdin and stdout, started per task or as a
    /// long-lived JSON-lines worker; its endpoint is a <see cref="ProcessCommand"/>. Runs only where the operator
    /// enabled process agents.
    /// </summary>
    public const string Process = "process";

    public static readonly IReadOnlyList<string> All = [OpenAiChat, HttpJson, Process];

    /// <summary>Protocols the runner can execute today.</summary>
    public static readonly IReadOnlyList<string> Executable = [OpenAiChat, HttpJson, Process];

    /// <summary>Protocols reached over HTTP at an endpoint URL (what the stress engine can load).</summary>
    public static readonly IReadOnlyList<string> OverHttp = [OpenAiChat, HttpJson];

    /// <summary>An absolute http or https URL: how <c>openai-chat</c> and <c>http-json</c> agents are reached.</summary>
    public static bool TryGetHttpUri(string endpoint, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// The URL an <c>openai-chat</c> agent is called at: <c>{endpoint}/v1/chat/completions</c>, keeping the endpoint's
    /// query string (e.g. an <c>api-version</c>); an endpoint that already ends in <c>/v1</c> gets only
    /// <c>/chat/completions</c>, and one that names the full path is used as given. The one place both the runner and
    /// the stress engine build it, so a benchmark and a stress test of one agent reach the same URL. An endpoint that
    /// is not an absolute URL is returned unchanged (the caller's request then fails on it).
    /// </summary>
    public static string ChatCompletionsUrl(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return endpoint;
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            path += path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? "/chat/completions" : "/v1/chat/completions";
        }

        return new UriBuilder(uri) { Path = path }.Uri.ToString();
    }
}
