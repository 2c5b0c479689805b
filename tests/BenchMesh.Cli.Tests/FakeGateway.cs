using System.Collections.Concurrent;
using System.Text.Json;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Cli.Tests;

/// <summary>
/// A stand-in for the BenchMesh gateway on 127.0.0.1 (a free port), answering the docs/api.md shapes
/// with whatever each test maps. It records every request so tests can check what the CLI sent.
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private LoopbackServer? _server;

    private FakeGateway()
    {
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public string Url => _server?.Address ?? "";

    public static async Task<FakeGateway> StartAsync(Action<WebApplication> map)
    {
        var gateway = new FakeGateway();
        gateway._server = await LoopbackServer.StartAsync(
            app =>
            {
                app.Use(async (context, next) =>
                {
                    context.Request.EnableBuffering();
                    var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                    context.Request.Body.Position = 0;
                    gateway.Requests.Enqueue(new RecordedRequest(
                        context.Request.Method, context.Request.Path + context.Request.QueryString, body, context.Request.Headers.Authorization.ToString()));
                    await next(context);
                });
                map(app);
            },
            builder =>
            {
                builder.Services.AddProblemDetails();
                builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
            });
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, string Body, string Authorization = "");

/// <summary>The API's JSON, written the way the services write it (snake_case).</summary>
public static class Api
{
    public static IResult Json(object value) => Results.Json(value, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

    public static object Run(string runId, string status, int completed, int total, object? report = null, string? errorMessage = null) => new
    {
        run_id = runId,
        agent_id = "agent-1",
        agent_version = "1.1",
        suite_id = "suite-1",
        status,
        configuration = new { warmup_runs = 1, iterations = 3, concurrency = 2, timeout_seconds = 300 },
        progress = new { total_benchmarks = total, completed_benchmarks = completed },
        created_at = "2025-01-01T00:00:00Z",
        completed_at = status is "completed" or "failed" ? "2025-01-01T00:01:00Z" : null,
        report,
        error_message = errorMessage,
    };

    public static object Report() => new
    {
        overall_score = 0.81,
        accuracy_score = 0.9,
        speed_score = 0.7,
        efficiency_score = 0.8,
        cost_score = 0.95,
        reliability_score = 1.0,
        benchmarks = new object[]
        {
            new
            {
                benchmark_id = "b-1", benchmark_name = "arithmetic", execution_id = "e-1", status = "completed",
                accuracy_score = 0.9, speed_score = 0.7, efficiency_score = 0.8, cost_score = 0.95, reliability_score = 1.0,
                overall_score = 0.862, tokens_used = 1234, api_calls_made = 30, cost_usd = 0.0012, median_latency_ms = 31.5,
            },
            new
            {
                benchmark_id = "b-2", benchmark_name = "summarize", execution_id = "e-2", status = "completed",
                accuracy_score = 0.6, speed_score = 0.5, efficiency_score = 0.4, cost_score = 0.3, reliability_score = 0.9,
                overall_score = 0.541, tokens_used = 4321, api_calls_made = 12, cost_usd = 0.0034, median_latency_ms = 92.4,
            },
        },
    };

    /// <param name="confirmation">The cost cell's confirmation state (null: none requested, "pending", "done").</param>
    public static object Regressions(bool hasRegressions, string currentVersion = "1.1", string? confirmation = null) => new
    {
        agent_id = "agent-1",
        current_version = currentVersion,
        baseline_version = "1.0",
        threshold = 0.1,
        has_regressions = hasRegressions,
        regressions = hasRegressions
            ? new object[]
            {
                new
                {
                    benchmark_id = "b-2", benchmark_name = "summarize", metric = "latency_ms", direction = "lower_is_better",
                    baseline_value = 30.1, current_value = 92.4, regression_percentage = 2.07, severity = "critical",
                    impact_analysis = "median latency tripled",
                },
            }
            : [],
        overall_health = hasRegressions ? "critical" : "healthy",
        recommended_action = hasRegressions ? "block_release" : "none",
        benchmarks_compared = 1,
        verdicts = new object[]
        {
            new
            {
                benchmark_id = "b-2", benchmark_name = "summarize", metric = "accuracy",
                verdict = hasRegressions ? "regressed" : "no_change",
                effect = new { estimate = hasRegressions ? -0.45 : 0.002, lower = hasRegressions ? -0.598 : -0.004, upper = hasRegressions ? -0.302 : 0.008 },
                p_value = hasRegressions ? 0.00009 : 0.41, q_value = hasRegressions ? 0.00045 : 0.62,
                minimum_detectable_effect = 0.021, additional_runs = (int?)null, reason = (string?)null,
                path = hasRegressions ? "gate" : null,
            },
            new
            {
                benchmark_id = "b-2", benchmark_name = "summarize", metric = "cost_per_task_usd", verdict = "inconclusive",
                effect = new { estimate = 0.031, lower = -0.02, upper = 0.085 },
                p_value = 0.12, q_value = 0.3, minimum_detectable_effect = 0.094, additional_runs = (int?)7,
                reason = "insufficient runs", path = (string?)null, confirmation,
            },
        },
    };
}
