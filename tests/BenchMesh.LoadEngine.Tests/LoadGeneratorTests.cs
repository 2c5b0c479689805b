using System.Net;
using System.Net.Sockets;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Scheduling;
using BenchMesh.LoadEngine.Thresholds;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// The executors against an in-process server. The machine is shared and noisy: assertions are on counts the
/// schedule fixes and on relationships, with generous bounds, never on tight timings.
/// </summary>
public sealed class LoadGeneratorTests(TestTargetFixture fixture) : IClassFixture<TestTargetFixture>
{
    private TestTarget Target => fixture.Target;

    [Fact]
    public async Task A_constant_rate_sends_exactly_the_planned_requests_and_reports_target_achieved_and_percentiles()
    {
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/"),
            Rate = 200,
            Duration = TimeSpan.FromSeconds(1),
            Thresholds = [Threshold.Parse("error_rate<1%"), Threshold.Parse("p99<10s")],
        });

        Assert.Equal(200, result.Started + result.Dropped);
        Assert.Equal(200, result.Requests);
        Assert.Equal(0, result.ErrorCount);
        Assert.Equal(200, result.TargetRps);
        Assert.InRange(result.AchievedRps, 180, 220);
        Assert.Equal("constant-arrival-rate", result.Executor);
        Assert.Equal(200, result.StatusCodes["200"]);
        Assert.True(result.LatencyMs.P50 > 0 && result.LatencyMs.P50 <= result.LatencyMs.P99 && result.LatencyMs.P99 <= result.LatencyMs.Max);
        Assert.True(result.ServiceTimeMs.P50 <= result.LatencyMs.P50 + 0.01);
        var second = Assert.Single(result.Timeline);
        Assert.Equal(200, second.Target);
        Assert.Equal(200, second.Requests);
        Assert.True(result.Generator.CpuCores > 0);
        Assert.All(result.Thresholds, t => Assert.True(t.Passed));
        Assert.True(result.ThresholdsPassed);
    }

    [Fact]
    public async Task A_ramping_rate_follows_its_stages()
    {
        var stages = new[] { new Stage(TimeSpan.FromSeconds(1), 200), new Stage(TimeSpan.FromSeconds(1), 200) };

        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/"),
            Executor = ExecutorKind.RampingArrivalRate,
            StartTarget = 0,
            Stages = stages,
        });

        Assert.Equal(300, result.Started + result.Dropped);
        Assert.Equal(150, result.TargetRps);
        Assert.Equal(2, result.Timeline.Count);
        Assert.Equal(100, result.Timeline[0].Target);
        Assert.Equal(200, result.Timeline[1].Target);
    }

    [Fact]
    public async Task Constant_and_ramping_concurrency_run_closed_loops_without_a_target_rate()
    {
        var constant = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/"),
            Executor = ExecutorKind.ConstantConcurrency,
            Concurrency = 4,
            Duration = TimeSpan.FromSeconds(1),
        });
        var ramping = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/slow/20"),
            Executor = ExecutorKind.RampingConcurrency,
            StartTarget = 1,
            Stages = [new Stage(TimeSpan.FromSeconds(1), 1), new Stage(TimeSpan.FromSeconds(2), 10)],
        });

        Assert.Null(constant.TargetRps);
        Assert.True(constant.Requests > 50, constant.Requests.ToString());
        Assert.Equal(0, constant.Dropped);
        Assert.Equal(4, constant.Generator.MaxInFlight);
        // One user at ~20 ms a request makes at most ~50 a second; the ramp to ten users makes several times more. Two
        // seconds of ramp, so that one second lost to this machine (CI starts the servers just before) cannot hide it.
        Assert.Equal(3, ramping.Timeline.Count);
        var seconds = string.Join(" then ", ramping.Timeline.Select(t => t.Requests));
        Assert.True(Math.Max(ramping.Timeline[1].Requests, ramping.Timeline[2].Requests) > 2 * ramping.Timeline[0].Requests, seconds);
        Assert.True(ramping.Timeline[0].Requests <= 60, seconds);
    }

    [Fact]
    public async Task A_full_in_flight_pool_drops_requests_instead_of_slowing_the_schedule()
    {
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/slow/300"),
            Rate = 100,
            Duration = TimeSpan.FromSeconds(1),
            MaxInFlight = 5,
        });

        Assert.Equal(100, result.Started + result.Dropped);
        Assert.True(result.Dropped >= 50, result.Dropped.ToString());
        Assert.True(result.Snapshot().DroppedRate >= 0.5);
        Assert.False(Threshold.Parse("dropped_rate<1%").Evaluate(result.Snapshot()).Passed);
    }

    [Fact]
    public async Task Max_requests_bounds_a_run()
    {
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/"),
            Rate = 1000,
            Duration = TimeSpan.FromSeconds(30),
            MaxRequests = 50,
        });

        Assert.Equal(50, result.Started);
        Assert.True(result.DurationSeconds < 5, result.DurationSeconds.ToString());
    }

    [Fact]
    public async Task An_abort_on_fail_threshold_stops_the_run_early_and_says_so()
    {
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/status/503"),
            Rate = 100,
            Duration = TimeSpan.FromSeconds(20),
            Thresholds = [Threshold.Parse("error_rate<1%,abort_on_fail,grace=0s,window=1s"), Threshold.Parse("p99<10s")],
        });

        Assert.True(result.Aborted);
        Assert.Contains("error_rate<1%", result.AbortReason);
        Assert.True(result.DurationSeconds < 10, result.DurationSeconds.ToString());
        Assert.False(result.ThresholdsPassed);
        var failed = Assert.Single(result.Thresholds, t => !t.Passed);
        Assert.Equal("error_rate", failed.Metric);
        Assert.Contains("aborted the run", failed.Note);
        Assert.Equal(result.Requests, result.Errors["http_503"]);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LoadGenerator.RunAsync(
            new LoadOptions { Url = Target.Url("/"), Rate = 50, Duration = TimeSpan.FromSeconds(30) }, cancel.Token));
    }

    [Fact]
    public async Task Errors_are_classified_by_status_body_timeout_and_connection()
    {
        var status = await Short(Target.Url("/status/503"));
        var body = await Short(Target.Url("/not-json"), LoadProtocols.HttpJson);
        var timeout = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/slow/2000"),
            Rate = 10,
            Duration = TimeSpan.FromSeconds(1),
            RequestTimeout = TimeSpan.FromMilliseconds(200),
        });
        var refused = await Short(new Uri($"http://127.0.0.1:{UnusedPort()}/"));

        Assert.Equal(status.Requests, status.Errors["http_503"]);
        Assert.Equal(body.Requests, body.Errors[ErrorKinds.InvalidBody]);
        Assert.Equal(timeout.Requests, timeout.Errors[ErrorKinds.Timeout]);
        Assert.Equal(refused.Requests, refused.Errors[ErrorKinds.ConnectionRefused]);
        Assert.All(new[] { status, body, timeout, refused }, r => Assert.Equal(1, r.ErrorRate));
    }

    [Fact]
    public async Task Http_json_and_openai_chat_bodies_are_built_and_their_answers_checked()
    {
        var json = await Short(Target.Url("/json"), LoadProtocols.HttpJson);
        var chat = await Short(Target.Url("/"), LoadProtocols.OpenAiChat);

        Assert.Equal(0, json.ErrorCount);
        Assert.True(json.Requests > 0);
        Assert.Equal(0, chat.ErrorCount);
        Assert.True(chat.Requests > 0);
        Assert.Equal(Target.Url("/v1/chat/completions").ToString(), chat.Url);
    }

    [Fact]
    public async Task Inputs_are_used_in_turn_and_bodies_grow_over_the_run()
    {
        await using var own = await TestTarget.StartAsync();

        await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = own.Url("/json"),
            Rate = 20,
            Duration = TimeSpan.FromSeconds(1),
            Connections = 1,
            Request = new RequestSpec { Protocol = LoadProtocols.HttpJson, Inputs = ["a", "b", "c"] },
        });
        var cycled = own.Inputs.ToList();
        own.Inputs.Clear();
        own.BodySizes.Clear();
        await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = own.Url("/json"),
            Rate = 20,
            Duration = TimeSpan.FromSeconds(1),
            Connections = 1,
            Request = new RequestSpec { Protocol = LoadProtocols.HttpJson, InputChars = 1_000, InputCharsEnd = 100_000 },
        });

        Assert.Equal(20, cycled.Count);
        Assert.Equal(7, cycled.Count(i => i == "a"));
        Assert.Equal(7, cycled.Count(i => i == "b"));
        Assert.Equal(6, cycled.Count(i => i == "c"));
        Assert.Equal(20, own.Inputs.Count);
        Assert.Equal(1_000, own.Inputs.Min(i => i.Length));
        Assert.InRange(own.Inputs.Max(i => i.Length), 90_000, 100_000);
        Assert.True(own.BodySizes.Max() > 50 * own.BodySizes.Min());
    }

    [Fact]
    public void Invalid_options_are_refused_with_every_problem()
    {
        var error = Assert.Throws<ArgumentException>(() => LoadGenerator.RunAsync(new LoadOptions
        {
            Url = new Uri("ftp://example.com/"),
            Rate = 0,
            Connections = 0,
            Request = new RequestSpec { Protocol = "grpc" },
        }).GetAwaiter().GetResult());

        Assert.Contains("not an absolute http(s) URL", error.Message);
        Assert.Contains("unknown protocol 'grpc'", error.Message);
        Assert.Contains("needs a rate above 0", error.Message);
        Assert.Contains("connections must be between", error.Message);
        Assert.Contains("only the arrival-rate executors", string.Join(" ", new LoadOptions
        {
            Url = Target.Url("/"),
            Executor = ExecutorKind.ConstantConcurrency,
            Thresholds = [Threshold.Parse("achieved_rate>=0.9*target")],
        }.Validate()));
    }

    private static Task<LoadResult> Short(Uri url, string protocol = LoadProtocols.Raw) => LoadGenerator.RunAsync(new LoadOptions
    {
        Url = url,
        Rate = 20,
        Duration = TimeSpan.FromMilliseconds(500),
        Request = new RequestSpec { Protocol = protocol },
    });

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
