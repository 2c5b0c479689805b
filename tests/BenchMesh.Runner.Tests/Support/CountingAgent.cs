using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>
/// An http-json agent at <c>{BaseUrl}/agent</c> that answers <c>"2"</c> after a delay and counts the calls it received.
/// <see cref="Hold"/> makes calls wait (after the first <c>n</c>) until <see cref="Release"/>, so a test can catch a
/// worker in the middle of a benchmark for as long as it needs.
/// </summary>
public sealed class CountingAgent : IAsyncDisposable
{
    private LoopbackServer? _server;
    private int _requests;
    private int _answerBeforeHolding = int.MaxValue;
    private TaskCompletionSource _released = NewGate();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _authorizations = new();

    private CountingAgent()
    {
    }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The Authorization header of every call received ("" when a call had none).</summary>
    public IReadOnlyCollection<string> Authorizations => _authorizations;

    public string BaseUrl => _server?.Address ?? "";

    public string Endpoint => $"{BaseUrl}/agent";

    public static async Task<CountingAgent> StartAsync(TimeSpan latency)
    {
        var agent = new CountingAgent();
        agent._server = await LoopbackServer.StartAsync(app => app.MapPost("/agent", async (HttpRequest request, CancellationToken ct) =>
        {
            agent._authorizations.Enqueue(request.Headers.Authorization.ToString());
            var number = Interlocked.Increment(ref agent._requests);
            if (number > Volatile.Read(ref agent._answerBeforeHolding))
            {
                // Waits until released, or until the caller goes away (a killed worker's connection closes).
                await agent._released.Task.WaitAsync(ct);
            }

            await Task.Delay(latency, ct);
            return Results.Json(new { output = "2", usage = new { input_tokens = 5, output_tokens = 1 } });
        }));
        return agent;
    }

    /// <summary>From now on, answer the first <paramref name="answered"/> calls (counting those already received) and hold the rest.</summary>
    public void Hold(int answered)
    {
        _released = NewGate();
        Volatile.Write(ref _answerBeforeHolding, answered);
    }

    /// <summary>Answers the held calls and every call after them.</summary>
    public void Release()
    {
        Volatile.Write(ref _answerBeforeHolding, int.MaxValue);
        _released.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
