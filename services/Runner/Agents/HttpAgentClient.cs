using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Outbound;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// What every HTTP protocol shares: the per-call timeout, the Bearer credential, the clock and the mapping of
/// failures to <see cref="SampleErrorKinds"/>. A call takes one of two paths (docs/timing.md):
/// <list type="bullet">
/// <item>plain <c>http://</c> (the usual agent, and every benchmark figure): <see cref="AgentSocketTransport"/>, whose
/// timestamps are taken at the socket. Latency = request written → last byte of the answer; the connection wait and
/// the request write are reported apart (<see cref="AgentCallResult.ConnectMs"/>, <see cref="AgentCallResult.RequestWriteMs"/>).</item>
/// <item><c>https://</c>, and a request whose header values the socket path will not write as they are: the named
/// <see cref="HttpClientName"/> HttpClient. Latency = from handing the request to HttpClient to the answer's end, with
/// the connection wait and request write read from its telemetry (<see cref="HttpCallPhases"/>).</item>
/// </list>
/// Both have no retry or resilience handlers (a retried call would hide the agent's real latency and error rate) and
/// connect through the <see cref="OutboundGuard"/>. A client made without a socket transport (tests) always takes the
/// HttpClient path.
/// </summary>
public abstract class HttpAgentClient(IHttpClientFactory httpClients, AgentSocketTransport? socket = null) : IAgentClient
{
    public const string HttpClientName = "agents";
    private const int MaxErrorBodyChars = 500;

    /// <summary>
    /// For request bodies only. The default encoder escapes HTML-sensitive and non-ASCII characters
    /// (<c>"2\u002B3"</c>, <c>"caf\u00E9"</c>) so that JSON can be embedded in a web page; an agent's request body never
    /// is, and such escapes only make the prompt an agent sees differ from what the suite wrote. The relaxed encoder
    /// writes the text as UTF-8 as it is, and still escapes what JSON requires (quotes, backslashes, control characters).
    /// </summary>
    private static readonly JsonSerializerOptions RequestJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public abstract string Protocol { get; }

    /// <summary>The call's request: target, body and accepted media types (the credential is added here).</summary>
    protected abstract AgentRequest CreateRequest(AgentCall call);

    /// <summary>
    /// Reads a 2xx answer's body of media type <paramref name="mediaType"/>; <paramref name="elapsedMs"/> says how long
    /// after the request was sent what has been read so far arrived (for TTFT).
    /// </summary>
    protected abstract Task<AgentCallResult> ReadResponseAsync(Stream body, string? mediaType, Func<double> elapsedMs, CancellationToken ct);

    /// <summary>
    /// Reads a 2xx answer's body from its bytes, all received, on the socket path; null (the default) when the protocol
    /// dates what it reads within the body (TTFT of a stream): <see cref="ReadResponseAsync"/> then reads it as a stream.
    /// Same result and same failures as <see cref="ReadResponseAsync"/> on the same bytes.
    /// </summary>
    protected virtual AgentCallResult? ReadResponse(ReadOnlyMemory<byte> body, string? mediaType) => null;

    /// <summary>The runner speaks HTTP/1.1 to agents on both paths (HttpClient's default version, never upgraded).</summary>
    public string DescribeTransport(AgentSnapshot agent) =>
        AgentProtocols.TryGetHttpUri(agent.Endpoint, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? $"https/{HttpVersion.Version11}"
            : $"http/{HttpVersion.Version11}";

    public async Task<AgentCallResult> CallAsync(AgentCall call, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(call.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            // Encoded before any clock that is reported starts (once per prepared call, see Prepare).
            var encoded = call.Prepared is EncodedRequest prepared && prepared.IsFor(call) ? prepared : Encode(call);
            return encoded.Http11 is { } http11
                ? await SendOnSocketAsync(socket!, encoded, http11, timeout.Token)
                : await SendWithHttpClientAsync(encoded.Request, clock, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return AgentCallResult.Failure(SampleErrorKinds.Timeout, $"No complete answer within {call.Timeout.TotalSeconds:0.###} s.", clock.Elapsed.TotalMilliseconds);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded)
        {
            return AgentCallResult.Failure(SampleErrorKinds.InvalidResponse, e.Message, clock.Elapsed.TotalMilliseconds);
        }
        catch (HttpIOException e) when (e.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded)
        {
            // The socket path's words for the same two failures.
            return AgentCallResult.Failure(SampleErrorKinds.InvalidResponse, e.Message, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is OutboundAddressRefusedException || e.InnerException is OutboundAddressRefusedException)
        {
            // The guard's own words: they name the host and the kind of range, not the address.
            var refused = e as OutboundAddressRefusedException ?? (OutboundAddressRefusedException)e.InnerException!;
            return AgentCallResult.Failure(SampleErrorKinds.AddressNotAllowed, refused.Message, clock.Elapsed.TotalMilliseconds);
        }
        catch (HttpRequestException e)
        {
            return AgentCallResult.Failure(SampleErrorKinds.Connection, e.Message, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is JsonException or InvalidAgentResponseException or FormatException)
        {
            return AgentCallResult.Failure(SampleErrorKinds.InvalidResponse, e.Message, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The connection broke while the body was being read.
            return AgentCallResult.Failure(SampleErrorKinds.Connection, e.Message, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is UriFormatException or InvalidOperationException or NotSupportedException)
        {
            // A malformed endpoint: the agent cannot be reached at all.
            return AgentCallResult.Failure(SampleErrorKinds.Connection, e.Message, clock.Elapsed.TotalMilliseconds);
        }
    }

    /// <summary>
    /// Encodes the request once (<see cref="CreateRequest"/>: the configuration parsed, the body serialized; and the
    /// HTTP/1.1 bytes when the socket path sends it): per call this was a few percent of a worker's CPU on a trivial agent
    /// (docs/timing.md, "Fourth pass"). A request that cannot be encoded (a malformed endpoint) is left to
    /// <see cref="CallAsync"/>, which records the failure on each call as before.
    /// </summary>
    public AgentCall Prepare(AgentCall call)
    {
        try
        {
            return call with { Prepared = Encode(call) };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return call;
        }
    }

    private EncodedRequest Encode(AgentCall call)
    {
        var request = CreateRequest(call) with { ApiKey = string.IsNullOrEmpty(call.ApiKey) ? null : call.ApiKey };
        return new EncodedRequest(call, request, socket is not null && AgentSocketTransport.CanSend(request) ? request.ToHttp11() : null);
    }

    /// <summary>
    /// A call's request as encoded, and its HTTP/1.1 bytes when the socket path sends it (null: the HttpClient path). It
    /// stands for the values it was encoded from only (compared by reference: the same strings, as the prepared call and
    /// its passes share them); a copy of the call with another value is encoded again.
    /// </summary>
    private sealed class EncodedRequest(AgentCall source, AgentRequest request, byte[]? http11)
    {
        public AgentRequest Request => request;
        public byte[]? Http11 => http11;

        /// <summary>The socket path's pool key (host:port), for every call of the request.</summary>
        public string Authority { get; } = request.Uri.Authority;

        public bool IsFor(AgentCall call) =>
            ReferenceEquals(call.Endpoint, source.Endpoint)
            && ReferenceEquals(call.Input, source.Input)
            && ReferenceEquals(call.ModelConfigurationJson, source.ModelConfigurationJson)
            && ReferenceEquals(call.MessagesJson, source.MessagesJson)
            && ReferenceEquals(call.ApiKey, source.ApiKey)
            && call.MaxTokens == source.MaxTokens;
    }

    /// <summary>
    /// A JSON request body as UTF-8 bytes, sent with a <c>Content-Length</c>. <c>JsonContent</c> would stream it with
    /// <c>Transfer-Encoding: chunked</c>, which servers that read exactly <c>Content-Length</c> bytes (Python's
    /// <c>http.server</c>, many small agents) see as an empty body, and then read the chunks as the next request on the
    /// kept-alive connection.
    /// </summary>
    protected static byte[] JsonBody(JsonNode body) => JsonSerializer.SerializeToUtf8Bytes(body, RequestJson);

    /// <summary>The socket path: every figure comes from <see cref="AgentAnswer"/>'s socket timestamps.</summary>
    private async Task<AgentCallResult> SendOnSocketAsync(AgentSocketTransport transport, EncodedRequest encoded, byte[] http11, CancellationToken ct)
    {
        var answer = await transport.SendAsync(encoded.Request, http11, encoded.Authority, ct);
        AgentCallResult result;
        if (answer.Status is < 200 or > 299)
        {
            var body = Encoding.UTF8.GetString(answer.Body, 0, Math.Min(answer.BodyLength, MaxErrorBodyChars * 4));
            result = HttpFailure(answer.Status, body, answer.LatencyMs);
        }
        else
        {
            var mediaType = MediaType(answer.ContentType);
            result = ReadResponse(answer.Body.AsMemory(0, answer.BodyLength), mediaType) ?? await ReadBodyStreamAsync(answer, mediaType, ct);
            return result with { DurationMs = answer.LatencyMs, HttpStatus = answer.Status, ConnectMs = answer.ConnectMs, RequestWriteMs = answer.RequestWriteMs };
        }

        return result with { ConnectMs = answer.ConnectMs, RequestWriteMs = answer.RequestWriteMs };
    }

    private Task<AgentCallResult> ReadBodyStreamAsync(AgentAnswer answer, string? mediaType, CancellationToken ct)
    {
        var (stream, elapsedMs) = answer.OpenBody();
        return ReadResponseAsync(stream, mediaType, elapsedMs, ct);
    }

    /// <summary>The HttpClient path (https://, and what the socket path does not send): timed from the request's hand-over.</summary>
    private async Task<AgentCallResult> SendWithHttpClientAsync(AgentRequest request, Stopwatch clock, CancellationToken ct)
    {
        var phases = HttpCallPhases.Begin();
        clock.Restart();
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Uri) { Content = new ByteArrayContent(request.Body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var accept in request.Accept)
        {
            message.Headers.Accept.ParseAdd(accept);
        }

        if (request.ApiKey is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.ApiKey);
        }

        var http = httpClients.CreateClient(HttpClientName);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        AgentCallResult result;
        if (!response.IsSuccessStatusCode)
        {
            result = HttpFailure((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct), clock.Elapsed.TotalMilliseconds);
        }
        else
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            result = await ReadResponseAsync(body, response.Content.Headers.ContentType?.MediaType, () => clock.Elapsed.TotalMilliseconds, ct);
            result = result with { DurationMs = clock.Elapsed.TotalMilliseconds, HttpStatus = (int)response.StatusCode };
        }

        return result with { ConnectMs = phases.ConnectMs, RequestWriteMs = phases.RequestWriteMs };
    }

    private static AgentCallResult HttpFailure(int status, string body, double durationMs) =>
        AgentCallResult.Failure(
            SampleErrorKinds.HttpStatus,
            $"HTTP {status}: {(body.Length > MaxErrorBodyChars ? body[..MaxErrorBodyChars] : body)}",
            durationMs,
            status);

    /// <summary>The media type of a Content-Type header value (parameters dropped); null when there is none.</summary>
    private static string? MediaType(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        // An agent answers every call with the same Content-Type: the last one parsed is kept (one parse, not one a call).
        var last = _lastMediaType;
        if (last is not null && string.Equals(last.ContentType, contentType, StringComparison.Ordinal))
        {
            return last.MediaType;
        }

        var mediaType = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType : contentType.Split(';')[0].Trim();
        _lastMediaType = new ParsedMediaType(contentType, mediaType);
        return mediaType;
    }

    private sealed record ParsedMediaType(string ContentType, string? MediaType);

    private static volatile ParsedMediaType? _lastMediaType;

    /// <summary>The model configuration as a JSON object (anything else counts as empty).</summary>
    protected static JsonElement ModelConfiguration(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : EmptyObject();
        }
        catch (JsonException)
        {
            return EmptyObject();
        }
    }

    private static JsonElement EmptyObject()
    {
        using var doc = JsonDocument.Parse("{}");
        return doc.RootElement.Clone();
    }

    protected static long? ReadLong(JsonElement parent, params string[] names)
    {
        foreach (var name in names)
        {
            if (parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
            {
                return n;
            }
        }

        return null;
    }
}
