namespace BenchMesh.LoadEngine.Requests;

/// <summary>
/// What each request carries. Inputs (e.g. a suite's dataset items) are used in turn, request n taking input
/// n mod count. With <see cref="InputChars"/> every input is padded (or cut) to that many characters; with
/// <see cref="InputCharsEnd"/> as well, the size grows linearly from one to the other over the run, by each
/// request's intended start (large_inputs, memory_pressure).
/// </summary>
public sealed record RequestSpec
{
    /// <summary>The prompt sent when no inputs are given.</summary>
    public const string DefaultInput = "What is 2 + 3? Answer with the number only.";

    /// <summary>One of <see cref="LoadProtocols.All"/>.</summary>
    public string Protocol { get; init; } = LoadProtocols.Raw;

    /// <summary>Inputs used in turn; empty means <see cref="DefaultInput"/>.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Size every input is padded or cut to (characters); null keeps inputs as they are.</summary>
    public int? InputChars { get; init; }

    /// <summary>The size reached at the end of the run when the body grows; null keeps <see cref="InputChars"/>.</summary>
    public int? InputCharsEnd { get; init; }

    /// <summary>The <c>model</c> of an openai-chat request (default "default").</summary>
    public string? Model { get; init; }

    /// <summary>
    /// The <c>configuration</c> object of an http-json request, as JSON text (default <c>{}</c>); for openai-chat its
    /// <c>model</c> is used when <see cref="Model"/> is not set.
    /// </summary>
    public string? ConfigurationJson { get; init; }

    /// <summary>openai-chat <c>max_tokens</c>: a stress test measures the service, not the length of its essays.</summary>
    public int MaxTokens { get; init; } = 16;

    /// <summary>A bearer token sent as <c>Authorization</c>, if the endpoint wants one.</summary>
    public string? BearerToken { get; init; }

    /// <summary>The largest body size accepted, to keep a typo from allocating gigabytes.</summary>
    public const int MaxInputChars = 10_000_000;
}
