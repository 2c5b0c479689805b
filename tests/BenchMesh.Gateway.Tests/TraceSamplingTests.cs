using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// The gateway records the trace of a configured share of requests (GatewayTelemetry): the services behind it learn the
/// decision from the sampled flag of the <c>traceparent</c> it forwards, whatever flag the client sent.
/// </summary>
public sealed class TraceSamplingTests(Infrastructure infrastructure, StandInServices services)
    : IClassFixture<Infrastructure>, IClassFixture<StandInServices>
{
    [Theory]
    [InlineData("1", "00", "01")]
    [InlineData("0", "01", "00")]
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
}
