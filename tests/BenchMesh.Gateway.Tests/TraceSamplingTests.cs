using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// The gateway records the trace of a configured share of requests (GatewayTelemetry): the services behind it learn the
/// decision from the sampled flag of the <c>traceparent</c> it forwards, whatever flag the client sent.
/// Only "sampled although the client said no" is tested end to end: ActivityListeners are process-wide, so while another
/// test's host (tracing every request, the default) is alive in this process, it samples the activity too, and "not
/// sampled although the client said yes" cannot be observed reliably here.
/// </summary>
public sealed class TraceSamplingTests(Infrastructure infrastructure, StandInServices services)
    : IClassFixture<Infrastructure>, IClassFixture<StandInServices>
{
    [Theory]
    [InlineData("1", "00", "01")]
    public async Task The_forwarded_traceparent_carries_the_gateway_s_sampling_decision_not_the_client_s(
        string ratio, string clientFlag, string forwardedFlag)
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("sampling"), services);
        await using var sampling = gateway.WithWebHostBuilder(builder => builder.UseSetting("Gateway:Telemetry:TraceSampleRatio", ratio));
        var client = sampling.CreateClient(); // starts the host, which writes the operator key file
        using var request = new HttpRequestMessage(HttpMethod.Get, "/agents");
        request.Headers.Authorization = new("Bearer", File.ReadAllText(gateway.OperatorKeyFile).Trim());
        request.Headers.TryAddWithoutValidation("traceparent", $"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-{clientFlag}");

        using var response = await client.SendAsync(request);

        response.EnsureSuccessStatusCode();
        var forwarded = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("headers").GetProperty("traceparent").GetString();
        Assert.NotNull(forwarded);
        Assert.EndsWith($"-{forwardedFlag}", forwarded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ratio_outside_zero_to_one_stops_the_gateway_at_start()
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("sampling_bad"), services);
        await using var sampling = gateway.WithWebHostBuilder(builder => builder.UseSetting("Gateway:Telemetry:TraceSampleRatio", "1.5"));

        var error = Assert.ThrowsAny<Exception>(() => sampling.CreateClient());

        Assert.Contains("Gateway:Telemetry:TraceSampleRatio must be between 0 and 1", error.ToString(), StringComparison.Ordinal);
    }
}
