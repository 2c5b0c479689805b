using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace BenchMesh.Cli.Gateway;

/// <summary>Client of the BenchMesh public API, through the gateway (docs/api.md).</summary>
/// <remarks>
/// Every non-success answer becomes an <see cref="ApiProblemException"/> carrying the ProblemDetails;
/// failure to talk to the gateway at all becomes a <see cref="GatewayUnreachableException"/>, so the
/// commands can map them to distinct exit codes without inspecting HTTP details.
/// </remarks>
public sealed class GatewayClient(HttpClient http)
{
    public Uri? BaseAddress => http.BaseAddress;

    public Task<ApiResponse<RunAccepted>> StartRunAsync(RunRequest request, CancellationToken ct) =>
        SendAsync<RunAccepted>(() => new HttpRequestMessage(HttpMethod.Post, "benchmarks/run")
        {
            Content = JsonContent.Create(request, options: ApiJson.Options),
        }, ct);

    public Task<ApiResponse<RunStatus>> GetRunAsync(string runId, CancellationToken ct) =>
        GetAsync<RunStatus>($"benchmarks/runs/{Uri.EscapeDataString(runId)}", ct);

    public Task<ApiResponse<Leaderboard>> GetLeaderboardAsync(
        string? category, string? metric, int? limit, string? groupBy, string? status, CancellationToken ct) =>
        GetAsync<Leaderboard>("benchmarks/leaderboard" + Query(
            ("category", category), ("metric", metric), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("group_by", groupBy), ("status", status)), ct);

    public Task<ApiResponse<AgentResults>> GetResultsAsync(string agentId, string? suiteId, string? timeframe, int? limit, string? cursor, CancellationToken ct) =>
        GetAsync<AgentResults>($"benchmarks/agents/{Uri.EscapeDataString(agentId)}/results" + Query(
            ("suite_id", suiteId), ("timeframe", timeframe),
            ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cursor", cursor)), ct);

    public Task<ApiResponse<RunList>> ListRunsAsync(RunListFilter filter, CancellationToken ct) =>
        GetAsync<RunList>("benchmarks/runs" + Query(
            ("agent_id", filter.AgentId), ("suite_id", filter.SuiteId), ("status", filter.Status), ("since", filter.Since), ("until", filter.Until),
            ("limit", filter.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cursor", filter.Cursor)), ct);

    public Task<ApiResponse<RegressionReport>> GetRegressionsAsync(string agentId, string? baselineVersion, double? threshold, CancellationToken ct) =>
        GetAsync<RegressionReport>($"benchmarks/agents/{Uri.EscapeDataString(agentId)}/regressions" + Query(
            ("baseline_version", baselineVersion),
            ("threshold", threshold?.ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);

    /// <summary><c>POST /benchmarks/compare</c> with <c>comparison_type: head_to_head</c> (two agents).</summary>
    public Task<ApiResponse<PairComparison>> CompareHeadToHeadAsync(IReadOnlyList<string> agents, string suiteId, CancellationToken ct) =>
        SendAsync<PairComparison>(() => new HttpRequestMessage(HttpMethod.Post, "benchmarks/compare")
        {
            Content = JsonContent.Create(new CompareRequest(agents, suiteId, "head_to_head"), options: ApiJson.Options),
        }, ct);

    /// <summary><c>POST /benchmarks/compare</c> with <c>comparison_type: matrix</c> (every pair).</summary>
    public Task<ApiResponse<ComparisonMatrix>> CompareMatrixAsync(IReadOnlyList<string> agents, string suiteId, CancellationToken ct) =>
        SendAsync<ComparisonMatrix>(() => new HttpRequestMessage(HttpMethod.Post, "benchmarks/compare")
        {
            Content = JsonContent.Create(new CompareRequest(agents, suiteId, "matrix"), options: ApiJson.Options),
        }, ct);

    /// <summary><c>GET /benchmarks/agents/{agent_id}/cost-analysis</c>.</summary>
    public Task<ApiResponse<CostAnalysisReport>> GetCostAnalysisAsync(string agentId, string? suiteId, long? monthlyTasks, CancellationToken ct) =>
        GetAsync<CostAnalysisReport>($"benchmarks/agents/{Uri.EscapeDataString(agentId)}/cost-analysis" + Query(
            ("suite_id", suiteId),
            ("monthly_tasks", monthlyTasks?.ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);

    /// <summary><c>POST /agents</c> with a registration as the API's JSON (built from flags or read from a file).</summary>
    public Task<ApiResponse<AgentCreated>> CreateAgentAsync(System.Text.Json.Nodes.JsonObject agent, CancellationToken ct) =>
        SendAsync<AgentCreated>(() => new HttpRequestMessage(HttpMethod.Post, "agents")
        {
            Content = JsonContent.Create(agent, options: ApiJson.Options),
        }, ct);

    /// <summary><c>POST /benchmarks/schedules</c>: a recurring run of a suite against an agent.</summary>
    public Task<ApiResponse<ScheduleCreated>> CreateScheduleAsync(ScheduleRequest request, CancellationToken ct) =>
        SendAsync<ScheduleCreated>(() => new HttpRequestMessage(HttpMethod.Post, "benchmarks/schedules")
        {
            Content = JsonContent.Create(request, options: ApiJson.Options),
        }, ct);

    /// <summary><c>POST /suites</c> with a suite as the API's JSON (read from a file, with imported items).</summary>
    public Task<ApiResponse<SuiteCreated>> CreateSuiteAsync(System.Text.Json.Nodes.JsonObject suite, CancellationToken ct) =>
        SendAsync<SuiteCreated>(() => new HttpRequestMessage(HttpMethod.Post, "suites")
        {
            Content = JsonContent.Create(suite, options: ApiJson.Options),
        }, ct);

    /// <summary>Any GET, answered as a JSON tree (the demo's look-ups).</summary>
    public async Task<System.Text.Json.Nodes.JsonNode> GetJsonAsync(string path, CancellationToken ct) =>
        System.Text.Json.Nodes.JsonNode.Parse((await GetAsync<JsonElement>(path, ct)).Json)!;

    /// <summary>Any POST of a JSON body, answered as a JSON tree (the demo's registrations).</summary>
    public async Task<System.Text.Json.Nodes.JsonNode> PostJsonAsync(string path, object body, CancellationToken ct)
    {
        var response = await SendAsync<JsonElement>(() => new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options),
        }, ct);
        return System.Text.Json.Nodes.JsonNode.Parse(response.Json)!;
    }

    private Task<ApiResponse<T>> GetAsync<T>(string path, CancellationToken ct) =>
        SendAsync<T>(() => new HttpRequestMessage(HttpMethod.Get, path), ct);

    private async Task<ApiResponse<T>> SendAsync<T>(Func<HttpRequestMessage> createRequest, CancellationToken ct)
    {
        using var request = createRequest();
        request.Headers.Accept.ParseAdd("application/json");
        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request, ct);
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException ex)
        {
            throw new GatewayUnreachableException(http.BaseAddress, ex.Message, ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            // HttpClient signals its own timeout as a cancellation the caller did not ask for.
            throw new GatewayUnreachableException(http.BaseAddress, $"no answer within {http.Timeout.TotalSeconds:0} s", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiProblemException(response.StatusCode, ParseProblem(body, response), body);
            }

            try
            {
                var value = JsonSerializer.Deserialize<T>(body, ApiJson.Options)
                    ?? throw new JsonException("empty body");
                return new ApiResponse<T>(value, body);
            }
            catch (JsonException ex)
            {
                throw new UnexpectedResponseException(
                    $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode} with a body the CLI cannot read: {ex.Message}", ex);
            }
        }
    }

    private static ProblemDetails ParseProblem(string body, HttpResponseMessage response)
    {
        try
        {
            var problem = string.IsNullOrWhiteSpace(body) ? null : JsonSerializer.Deserialize<ProblemDetails>(body, ApiJson.Options);
            if (problem is not null && (problem.Title is not null || problem.Detail is not null || problem.Errors is not null))
            {
                return problem with { Status = problem.Status ?? (int)response.StatusCode };
            }
        }
        catch (JsonException)
        {
            // Not a ProblemDetails (e.g. a proxy's HTML error page): fall through to a synthesized one.
        }

        var detail = string.IsNullOrWhiteSpace(body) || body.Length > 500 ? null : body.Trim();
        return new ProblemDetails(null, response.ReasonPhrase ?? response.StatusCode.ToString(), (int)response.StatusCode, detail, null, null);
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var parts = parameters
            .Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}")
            .ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

/// <summary>The API answered with an error (a ProblemDetails, or something synthesized from the status).</summary>
public sealed class ApiProblemException(HttpStatusCode statusCode, ProblemDetails problem, string body)
    : Exception(problem.Title ?? statusCode.ToString())
{
    public HttpStatusCode StatusCode { get; } = statusCode;
    public ProblemDetails Problem { get; } = problem;
    public string Body { get; } = body;
}

/// <summary>The gateway could not be reached (refused, DNS, TLS, timeout).</summary>
public sealed class GatewayUnreachableException(Uri? gateway, string reason, Exception inner)
    : Exception($"cannot reach the BenchMesh gateway at {gateway}: {reason}", inner)
{
    public Uri? Gateway { get; } = gateway;
}

/// <summary>A success answer whose body is not the documented shape.</summary>
public sealed class UnexpectedResponseException(string message, Exception inner) : Exception(message, inner);
