using OpenTelemetry.Trace;

namespace BenchMesh.Gateway;

/// <summary>
/// The gateway records the trace of a share of the requests it receives (<c>Gateway:Telemetry:TraceSampleRatio</c>,
/// default 1: every one; 0.1 records one in ten, 0 none). Every other service keeps ServiceDefaults' parent-based sampling, so a
/// request the gateway does not sample is recorded nowhere behind it either: its <c>traceparent</c> goes on with the
/// sampled flag off. Metrics (request counts and durations) still count every request. The decision is by trace id
/// only, not by a client's <c>traceparent</c> flag: at the public edge a client must not choose to be traced in full.
/// Measured cost of recording every request: docs/gateway.md (not separable from noise, so the default keeps the
/// promise that one run is one trace; a busy deployment lowers the ratio).
/// </summary>
public static class GatewayTelemetry
{
    public const string SampleRatioSetting = "Gateway:Telemetry:TraceSampleRatio";
    public const double DefaultSampleRatio = 1;

    public static IHostApplicationBuilder AddGatewayTraceSampling(this IHostApplicationBuilder builder)
    {
        var ratio = builder.Configuration.GetValue(SampleRatioSetting, DefaultSampleRatio);
        if (ratio is < 0 or > 1 || double.IsNaN(ratio))
        {
            throw new InvalidOperationException($"{SampleRatioSetting} must be between 0 and 1 (it is {ratio}).");
        }

        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(new TraceIdRatioBasedSampler(ratio)));
        return builder;
    }
}
