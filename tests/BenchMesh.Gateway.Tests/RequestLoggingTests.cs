using System.Collections.Concurrent;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// With the log levels it ships (appsettings.json), the gateway writes no log line for a request it serves: a line
/// per request (Npgsql logged every key lookup at Information) cost more CPU than the proxying itself
/// (docs/gateway.md). Problems (Warning and above) are still logged.
/// </summary>
public sealed class RequestLoggingTests(Infrastructure infrastructure, StandInServices services)
    : IClassFixture<Infrastructure>, IClassFixture<StandInServices>
{
    [Fact]
    public async Task Authenticated_proxied_requests_write_no_log_line_below_warning_at_the_shipped_levels()
    {
        var recorder = new LogRecorder();
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("request_logging"), services);
        await using var recorded = gateway.WithWebHostBuilder(builder =>
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(recorder)));
        var client = recorded.CreateClient(); // starts the host, which writes the operator key file
        var key = File.ReadAllText(gateway.OperatorKeyFile).Trim();
        using (var first = new HttpRequestMessage(HttpMethod.Get, "/agents") { Headers = { Authorization = new("Bearer", key) } })
        {
            (await client.SendAsync(first)).EnsureSuccessStatusCode(); // start-up lines and first-use lines are written by now
        }

        recorder.Entries.Clear();
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, i % 2 == 0 ? "/agents" : "/benchmarks/leaderboard");
            request.Headers.Authorization = new("Bearer", key);
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        Assert.Empty(recorder.Entries.Where(entry => entry.Level < LogLevel.Warning).Select(entry => $"{entry.Level} {entry.Category}: {entry.Message}"));
    }

    /// <summary>Every entry the host's filters let through to it (the configured levels decide, not this provider).</summary>
    private sealed class LogRecorder : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogRecorder recorder, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                recorder.Entries.Enqueue((logLevel, category, formatter(state, exception)));
        }
    }
}
