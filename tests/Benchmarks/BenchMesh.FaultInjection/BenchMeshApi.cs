using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.FaultInjection;

/// <summary>
/// The public API calls the program makes (docs/api.md), straight to the services that own them, each with the caller
/// headers and internal token the gateway would add (<see cref="ServiceFleet.Caller"/>).
/// </summary>
public sealed class BenchMeshApi(HttpClient http, ServiceFleet fleet)
{

    /// <summary>One suite for the whole campaign: benchmark b{k} has items b{k}/i{n}, each expecting its own input back.</summary>
    public async Task<SuiteUnderTest> CreateSuiteAsync(int benchmarks, int items, CancellationToken ct)
    {
        var suite = await PostAsync(new Uri(fleet.SuitesUrl, "/suites"), new
        {
            name = $"fault-injection-{Guid.NewGuid():N}",
            category = "reliability",
            workspace_id = fleet.Caller.WorkspaceId,
            benchmarks = Enumerable.Range(0, benchmarks).Select(b => new
            {
                name = $"b{b}",
                scoring_rubric = new { type = "exact_match" },
                dataset = new { items = Enumerable.Range(0, items).Select(i => new { id = $"i{i}", input = $"b{b}/i{i}", expected = $"b{b}/i{i}" }) },
            }),
        }, ct);
        return new SuiteUnderTest(
            Guid.Parse(suite["suite_id"]!.GetValue<string>()),
            [.. suite["benchmarks"]!.AsArray().Select(b => Guid.Parse(b!["benchmark_id"]!.GetValue<string>()))]);
    }

    /// <summary>A new agent per run, whose endpoint carries the run's tag (the agent counts calls per tag).</summary>
    public async Task<Guid> CreateAgentAsync(string tag, Uri endpoint, CancellationToken ct)
    {
        var agent = await PostAsync(new Uri(fleet.SuitesUrl, "/agents"), new
        {
            name = $"fault-agent-{tag}-{Guid.NewGuid():N}",
            workspace_id = fleet.Caller.WorkspaceId,
            protocol = "http-json",
            endpoint = endpoint.ToString(),
            pricing = new { input_per_million_usd = 0.5, output_per_million_usd = 1.5, per_call_usd = 0.0 },
            versions = new[] { new { version = "1.0", model_configuration = new { model = "fault-agent" } } },
        }, ct);
        return Guid.Parse(agent["agent_id"]!.GetValue<string>());
    }

    /// <summary>Starts an asynchronous run on the first runner that accepts it (one may just have been killed).</summary>
    /// <param name="concurrency">Agent calls in flight at once (the API's default is 1).</param>
    public async Task<Guid> StartRunAsync(Guid agentId, Guid suiteId, int warmups, int iterations, CancellationToken ct, int concurrency = 1)
    {
        var body = new
        {
            agent_id = agentId,
            suite_id = suiteId,
            async_execution = true,
            configuration = new { warmup_runs = warmups, iterations, concurrency },
        };
        Exception? last = null;
        foreach (var runner in fleet.Runners.Where(r => r.IsRunning))
        {
            try
            {
                var run = await PostAsync(new Uri(ServiceFleet.BaseOf(runner), "/benchmarks/run"), body, ct);
                return Guid.Parse(run["run_id"]!.GetValue<string>());
            }
            catch (HttpRequestException e)
            {
                last = e;
            }
        }

        throw new InvalidOperationException("no runner accepted the run", last);
    }

    /// <summary>The run's status and progress, or null when no runner could answer (e.g. PostgreSQL is stopped).</summary>
    public async Task<RunState?> GetRunAsync(Guid runId, CancellationToken ct)
    {
        foreach (var runner in fleet.Runners.Where(r => r.IsRunning))
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                using var request = AsCaller(new HttpRequestMessage(HttpMethod.Get, new Uri(ServiceFleet.BaseOf(runner), $"/benchmarks/runs/{runId}")));
                using var response = await http.SendAsync(request, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    continue;
                }

                var run = (await response.Content.ReadFromJsonAsync<JsonNode>(timeout.Token))!;
                return new RunState(
                    run["status"]!.GetValue<string>(),
                    run["progress"]!["completed_benchmarks"]!.GetValue<int>(),
                    run["report"]?["benchmarks"]?.AsArray()
                        .Select(b => b!["error_message"]?.GetValue<string>())
                        .OfType<string>()
                        .FirstOrDefault());
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                // This runner cannot answer now; ask the next, else the caller asks again.
            }
        }

        return null;
    }

    private async Task<JsonNode> PostAsync(Uri url, object body, CancellationToken ct)
    {
        using var request = AsCaller(new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) });
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {url.AbsolutePath}: {(int)response.StatusCode} {text}", null, response.StatusCode);
        }

        return JsonNode.Parse(text)!;
    }

    private HttpRequestMessage AsCaller(HttpRequestMessage request)
    {
        foreach (var (name, value) in fleet.Caller.Headers())
        {
            request.Headers.Add(name, value);
        }

        request.Headers.Add(CallerHeaders.InternalToken, fleet.InternalToken);
        return request;
    }
}

public sealed record SuiteUnderTest(Guid SuiteId, IReadOnlyList<Guid> BenchmarkIds);

/// <summary>What GET /benchmarks/runs/{id} says: status, completed benchmarks, the first benchmark error message.</summary>
public sealed record RunState(string Status, int CompletedBenchmarks, string? FirstError)
{
    public bool IsFinal => Status is "completed" or "failed";
}
