using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

/// <summary><c>benchmesh stress</c> against a small in-process target (short runs, no gateway).</summary>
public sealed class StressCommandTests : IAsyncLifetime
{
    private FakeGateway _target = null!;

    public async Task InitializeAsync() => _target = await FakeGateway.StartAsync(app =>
    {
        app.MapGet("/", () => "ok");
        app.MapGet("/down", () => Results.StatusCode(503));
        app.MapPost("/agent", () => Results.Json(new { output = "5" }));
    });

    public async Task DisposeAsync() => await _target.DisposeAsync();

    private string Url(string path = "/") => _target.Url.TrimEnd('/') + path;

    [Fact]
    public async Task A_run_prints_rate_requests_latency_and_passing_thresholds_and_exits_0()
    {
        var result = await CliHarness.RunAsync("stress", "--url", Url(), "--rate", "50", "--duration", "1s", "--connections", "4",
            "--threshold", "error_rate<1%", "--threshold", "p99<5s");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("constant-arrival-rate", result.Output);
        Assert.Contains("target 50.0 req/s", result.Output);
        Assert.Contains("50 completed (50 ok, 0 failed", result.Output);
        Assert.Contains("latency (from intended start)", result.Output);
        Assert.Contains("schedule lag (generator)", result.Output);
        Assert.Contains("error_rate<1%", result.Output);
        Assert.DoesNotContain("FAIL", result.Output);
    }

    [Fact]
    public async Task Json_is_one_snake_case_object_with_rates_counts_errors_latency_and_thresholds()
    {
        var result = await CliHarness.RunAsync("stress", "--url", Url("/agent"), "--protocol", "http-json", "--input", "What is 2 + 3?",
            "--rate", "40", "--duration", "1s", "--threshold", "p99<5s", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        var root = document.RootElement;
        Assert.Equal(40, root.GetProperty("target_rps").GetDouble());
        Assert.True(root.GetProperty("achieved_rps").GetDouble() > 30);
        Assert.Equal(40, root.GetProperty("requests").GetInt64());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("errors").ValueKind);
        Assert.Equal(0, root.GetProperty("dropped").GetInt64());
        Assert.True(root.GetProperty("late").GetInt64() >= 0);
        var latency = root.GetProperty("latency_ms");
        foreach (var name in new[] { "p50", "p90", "p95", "p99", "p999", "max" })
        {
            Assert.True(latency.GetProperty(name).GetDouble() > 0, name);
        }

        var threshold = Assert.Single(root.GetProperty("thresholds").EnumerateArray());
        Assert.Equal("p99<5s", threshold.GetProperty("expression").GetString());
        Assert.True(threshold.GetProperty("passed").GetBoolean());
        Assert.True(root.GetProperty("generator").GetProperty("cpu_cores").GetDouble() >= 0);
        Assert.False(root.TryGetProperty("breaking_point", out _));
    }

    [Fact]
    public async Task A_failing_threshold_exits_5_and_counts_errors_by_kind()
    {
        var result = await CliHarness.RunAsync("stress", "--url", Url("/down"), "--rate", "20", "--duration", "1s",
            "--threshold", "error_rate<1%", "--json");

        Assert.Equal(5, result.ExitCode);
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(20, document.RootElement.GetProperty("errors").GetProperty("http_503").GetInt64());
        Assert.False(document.RootElement.GetProperty("thresholds")[0].GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task A_breaking_point_search_reports_the_last_sustainable_and_first_failing_rates()
    {
        // Every step against /down fails, so the first step is the first failing one.
        var result = await CliHarness.RunAsync("stress", "--url", Url("/down"), "--rate", "20", "--duration", "1s",
            "--breaking-point", "--max-rate", "40", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        var search = document.RootElement.GetProperty("breaking_point");
        Assert.Equal(JsonValueKind.Null, search.GetProperty("last_sustainable_rps").ValueKind);
        Assert.Equal(20, search.GetProperty("first_failing_rps").GetDouble());
        Assert.Equal("error_rate<1%", search.GetProperty("failed_threshold").GetString());
        Assert.Equal(1, search.GetProperty("steps").GetArrayLength());
        Assert.Equal(20, document.RootElement.GetProperty("target_rps").GetDouble());
    }

    [Theory]
    [InlineData("threshold 'p98<1s': unknown metric 'p98'", "--rate", "10", "--threshold", "p98<1s")]
    [InlineData("threshold 'error_rate<2': '2' is not a rate", "--rate", "10", "--threshold", "error_rate<2")]
    [InlineData("--executor constant-arrival-rate needs --rate", "--duration", "1s")]
    [InlineData("--duration: 'soon' is not a positive duration", "--rate", "10", "--duration", "soon")]
    [InlineData("needs --stages", "--executor", "ramping-arrival-rate")]
    [InlineData("stage '10s'", "--executor", "ramping-arrival-rate", "--stages", "10s")]
    [InlineData("go with --breaking-point", "--rate", "10", "--max-rate", "100")]
    [InlineData("'grpc' not recognized", "--rate", "10", "--protocol", "grpc")]
    [InlineData("only the arrival-rate executors", "--executor", "constant-concurrency", "--threshold", "achieved_rate>=0.9*target")]
    [InlineData("'tcp' not recognized", "--rate", "10", "--transport", "tcp")]
    [InlineData("--rate: 'abc' is not a number", "--rate", "abc")]
    [InlineData("--max-rate: 'lots' is not a number", "--rate", "10", "--breaking-point", "--max-rate", "lots")]
    public async Task Bad_command_lines_are_usage_errors_with_a_clear_message(string expected, params string[] options)
    {
        var result = await CliHarness.RunAsync(["stress", "--url", Url(), .. options]);
        var noUrl = await CliHarness.RunAsync("stress", "--url", "localhost:80", "--rate", "10");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Contains("stress --help", result.Error);
        Assert.Equal("", result.Output);
        Assert.Equal(3, noUrl.ExitCode);
        Assert.Contains("--url: 'localhost:80' is not an absolute http(s) URL", noUrl.Error);
    }

    [Fact]
    public async Task The_transport_is_epoll_on_linux_for_http_by_default_and_can_be_forced()
    {
        var auto = await CliHarness.RunAsync("stress", "--url", Url(), "--rate", "20", "--duration", "500ms", "--json");
        var forced = await CliHarness.RunAsync("stress", "--url", Url(), "--rate", "20", "--duration", "500ms", "--transport", "httpclient", "--json");
        var human = await CliHarness.RunAsync("stress", "--url", Url(), "--rate", "20", "--duration", "500ms", "--transport", "socket");
        var https = await CliHarness.RunAsync("stress", "--url", "https://127.0.0.1:1/", "--rate", "20", "--transport", "socket");

        Assert.True(auto.ExitCode == 0, auto.ToString());
        Assert.True(forced.ExitCode == 0, forced.ToString());
        using var autoJson = JsonDocument.Parse(auto.Output);
        using var forcedJson = JsonDocument.Parse(forced.Output);
        Assert.Equal(OperatingSystem.IsLinux() ? "epoll" : "socket", autoJson.RootElement.GetProperty("generator").GetProperty("transport").GetString());
        Assert.Equal("httpclient", forcedJson.RootElement.GetProperty("generator").GetProperty("transport").GetString());
        Assert.Equal(10, forcedJson.RootElement.GetProperty("requests").GetInt64());
        Assert.Contains("socket transport", human.Output);
        Assert.Equal(3, https.ExitCode);
        Assert.Contains("socket transport speaks plain http:// only", https.Error);
    }
}
