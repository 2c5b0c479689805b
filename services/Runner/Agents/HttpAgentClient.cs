using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// What every HTTP protocol shares: the per-call timeout, the Bearer credential, the clock and the mapping of
/// failures to <see cref="SampleErrorKinds"/>. The client comes from the named <see cref="HttpClientName"/>
/// registration, which has no retry or resilience handlers: a retried call would hide the agent's real latency
/// and error rate.
/// </summary>
public abstract class HttpAgentClient(IHttpClientFactory httpClients) : IAgentClient
{
    public const string HttpClientName = "agents";
    private const int MaxErrorBodyChars = 500;

    public abstract string Protocol { get; }

    protected abstract HttpRequestMessage CreateRequest(AgentCall call);

    /// <summary>Reads a 2xx response; <paramref name="clock"/> runs since the request was sent (for TTFT).</summary>
    protected abstract Task<AgentCallResult> ReadResponseAsync(HttpResponseMessage response, Stopwatch clock, CancellationToken ct);

    public async Task<AgentCallResult> CallAsync(AgentCall call, CancellationToken ct)
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
