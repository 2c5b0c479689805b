using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Agents;

namespace BenchMesh.LoadEngine.Requests;

/// <summary>
/// Builds the request for each intended start and judges the answer's body. Bodies of a fixed size are encoded once
/// per input; growing bodies are encoded per request (they are large and therefore few).
/// </summary>
public sealed class RequestFactory
{
    private const string Filler = " The quick brown fox jumps over the lazy dog.";
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly RequestSpec _spec;
    private readonly Uri _uri;
    private readonly string[] _inputs;
    private readonly byte[][]? _fixedBodies;
    private readonly JsonObject _configuration;
    private readonly AuthenticationHeaderValue? _authorization;

    /// <exception cref="ArgumentException">An unknown protocol, a URL that is not absolute http(s), or a bad size or configuration.</exception>
    public RequestFactory(Uri url, RequestSpec spec)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(spec);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an absolute http(s) URL.", nameof(url));
        }

        if (!LoadProtocols.All.Contains(spec.Protocol))
        {
            throw new ArgumentException($"Unknown protocol '{spec.Protocol}': use one of {string.Join(", ", LoadProtocols.All)}.", nameof(spec));
        }

        foreach (var size in new[] { spec.InputChars, spec.InputCharsEnd })
        {
            if (size is < 1 or > RequestSpec.MaxInputChars)
            {
                throw new ArgumentException($"An input size must be between 1 and {RequestSpec.MaxInputChars} characters.", nameof(spec));
            }
        }

        if (spec.InputCharsEnd is not null && spec.InputChars is null)
        {
            throw new ArgumentException("A growing body needs its starting size (InputChars) as well as its end size.", nameof(spec));
        }

        _spec = spec;
        _uri = spec.Protocol == LoadProtocols.OpenAiChat ? new Uri(AgentProtocols.ChatCompletionsUrl(url.ToString())) : url;
        _inputs = spec.Inputs.Count > 0 ? [.. spec.Inputs] : [RequestSpec.DefaultInput];
        _configuration = ParseConfiguration(spec.ConfigurationJson);
        if (spec.BearerToken is { } token && token.Any(char.IsControl))
        {
            throw new ArgumentException("A bearer token cannot contain control characters (line breaks, ...).", nameof(spec));
        }

        _authorization = string.IsNullOrEmpty(spec.BearerToken) ? null : new AuthenticationHeaderValue("Bearer", spec.BearerToken);
        if (spec.Protocol != LoadProtocols.Raw && (spec.InputCharsEnd is null || spec.InputCharsEnd == spec.InputChars))
        {
            _fixedBodies = [.. _inputs.Select(input => Encode(Resize(input, spec.InputChars)))];
        }
    }

    /// <summary>Where the requests go (for openai-chat, the chat completions URL).</summary>
    public Uri Uri => _uri;

    /// <summary>True when a 2xx answer's body is checked (<see cref="IsValidAnswer"/>): every protocol but raw.</summary>
    public bool ChecksBodies => _spec.Protocol != LoadProtocols.Raw;

    /// <summary>The bearer token sent as Authorization, if any.</summary>
    internal string? BearerToken => _authorization?.Parameter;

    /// <summary>How many inputs are used in turn (request n takes input n mod this).</summary>
    internal int InputCount => _inputs.Length;

    /// <summary>The body of input <paramref name="index"/> when bodies keep their size (encoded once); null for raw or growing bodies.</summary>
    internal byte[]? FixedBody(int index) => _fixedBodies?[index];

    /// <summary>
    /// The body of request <paramref name="sequence"/> at <paramref name="progress"/> (0..1) through the run (a JSON
    /// POST body); null for raw, whose requests are GETs without one.
    /// </summary>
    internal byte[]? Body(long sequence, double progress)
    {
        if (_spec.Protocol == LoadProtocols.Raw)
        {
            return null;
        }

        var index = (int)(sequence % _inputs.Length);
        return _fixedBodies?[index] ?? Encode(Resize(_inputs[index], SizeAt(progress)));
    }

    /// <summary>
    /// The request intended as number <paramref name="sequence"/>, at <paramref name="progress"/> (0..1) through the run.
    /// </summary>
    public HttpRequestMessage Create(long sequence, double progress)
    {
        if (Body(sequence, progress) is not { } body)
        {
            var get = new HttpRequestMessage(HttpMethod.Get, _uri);
            if (_authorization is not null)
            {
                get.Headers.Authorization = _authorization;
            }

            return get;
        }

        var post = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ByteArrayContent(body) };
        post.Content.Headers.ContentType = Json;
        if (_authorization is not null)
        {
            post.Headers.Authorization = _authorization;
        }

        return post;
    }

    /// <summary>The input size at <paramref name="progress"/> (0..1) through the run; null when inputs keep their size.</summary>
    public int? SizeAt(double progress)
    {
        if (_spec.InputChars is not { } start)
        {
            return null;
        }

        var end = _spec.InputCharsEnd ?? start;
        return (int)Math.Round(start + (end - start) * Math.Clamp(progress, 0, 1));
    }

    /// <summary>True when a 2xx answer's body has the protocol's shape; raw accepts any body.</summary>
    public bool IsValidAnswer(ReadOnlySpan<byte> body)
    {
        if (_spec.Protocol == LoadProtocols.Raw)
        {
            return true;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (_spec.Protocol == LoadProtocols.HttpJson)
            {
                return root.TryGetProperty("output", out var output) && output.ValueKind != JsonValueKind.Null;
            }

            return root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The text padded with a repeated sentence, or cut, to exactly <paramref name="size"/> characters.</summary>
    internal static string Resize(string input, int? size)
    {
        if (size is not { } n || input.Length == n)
        {
            return input;
        }

        if (input.Length > n)
        {
            return input[..n];
        }

        var builder = new StringBuilder(input, n);
        while (builder.Length < n)
        {
            builder.Append(Filler, 0, Math.Min(Filler.Length, n - builder.Length));
        }

        return builder.ToString();
    }

    private byte[] Encode(string input)
    {
        JsonObject body;
        if (_spec.Protocol == LoadProtocols.HttpJson)
        {
            body = new JsonObject { ["input"] = input, ["configuration"] = _configuration.DeepClone() };
        }
        else
        {
            body = new JsonObject
            {
                ["model"] = _spec.Model ?? _configuration["model"]?.DeepClone() ?? "default",
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = input }),
                ["max_tokens"] = _spec.MaxTokens,
                ["stream"] = false,
            };
        }

        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static JsonObject ParseConfiguration(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("The configuration must be a JSON object.", nameof(json));
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The configuration is not valid JSON: {ex.Message}", nameof(json), ex);
        }
    }
}
