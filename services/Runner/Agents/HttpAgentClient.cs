using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Outbound;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// What every HTTP protocol shares: the per-call timeout, the Bearer credential, the clock and the mapping of
/// failures to <see cref="SampleErrorKinds"/>. The client comes from the named <see cref="HttpClientName"/>
/// registration, which has no retry or resilience handlers (a retried call would hide the agent's real latency
/// and error rate) and connects through the <see cref="OutboundGuard"/>. Every call's connection wait and request write are timed by <see cref="HttpCallPhases"/>.
/// </summary>
public abstract class HttpAgentClient(IHttpClientFactory httpClients) : IAgentClient
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

    protected abstract HttpRequestMessage CreateRequest(AgentCall call);

    /// <summary>Reads a 2xx response; <paramref name="clock"/> runs since the request was sent (for TTFT).</summary>
    protected abstract Task<AgentCallResult> ReadResponseAsync(HttpResponseMessage response, Stopwatch clock, CancellationToken ct);

    /// <summary>The runner's HttpClient speaks HTTP/1.1 to agents (its default version, never upgraded).</summary>
    public string DescribeTransport(AgentSnapshot agent) =>
        AgentProtocols.TryGetHttpUri(agent.Endpoint, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? $"https/{HttpVersion.Version11}"
            : $"http/{HttpVersion.Version11}";

    public async Task<AgentCallResult> CallAsync(AgentCall call, CancellationToken ct)
    {
        var phases = HttpCallPhases.Begin();
        var result = await SendAsync(call, ct);
        return result with { ConnectMs = phases.ConnectMs, RequestWriteMs = phases.RequestWriteMs };
    }

    /// <summary>
    /// A JSON request body with a <c>Content-Length</c>: serialized up front into bytes. <c>JsonContent</c> would
    /// stream it with <c>Transfer-Encoding: chunked</c>, which servers that read exactly <c>Content-Length</c> bytes
    /// (Python's <c>http.server</c>, many small agents) see as an empty body, and then read the chunks as the next
    /// request on the kept-alive connection.
    /// </summary>
    protected static HttpContent JsonBody(JsonNode body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, RequestJson));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<AgentCallResult> SendAsync(AgentCall call, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(call.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = CreateRequest(call);
            if (!string.IsNullOrEmpty(call.ApiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", call.ApiKey);
            }

            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                var status = (int)response.StatusCode;
                return AgentCallResult.Failure(
                    SampleErrorKinds.HttpStatus,
                    $"HTTP {status}: {(body.Length > MaxErrorBodyChars ? body[..MaxErrorBodyChars] : body)}",
                    clock.Elapsed.TotalMilliseconds,
                    status);
            }

            var result = await ReadResponseAsync(response, clock, timeout.Token);
            return result with { DurationMs = clock.Elapsed.TotalMilliseconds, HttpStatus = (int)response.StatusCode };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return AgentCallResult.Failure(SampleErrorKinds.Timeout, $"No complete answer within {call.Timeout.TotalSeconds:0.###} s.", clock.Elapsed.TotalMilliseconds);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded)
        {
            return AgentCallResult.Failure(SampleErrorKinds.InvalidResponse, e.Message, clock.Elapsed.TotalMilliseconds);
        }
        catch (HttpRequestException e) when (e.InnerException is OutboundAddressRefusedException refused)
        {
            // The guard's own words: they name the host and the kind of range, not the address.
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
