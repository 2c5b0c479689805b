using BenchMesh.SampleAgents.Apis;
using BenchMesh.SampleAgents.Domain;
using Microsoft.Extensions.Options;

namespace BenchMesh.SampleAgents;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        // An agent takes whatever an OpenAI or http-json client sends (stream_options, temperature, seed, ...): the
        // public API's refusal of unknown fields (ServiceDefaults' StrictRequestJson) does not apply here.
        builder.Services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o =>
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip);
        builder.Services.Configure<SampleAgentsOptions>(builder.Configuration.GetSection(SampleAgentsOptions.Section));
        builder.Services.AddSingleton(sp => new AgentRuntime(
            new ProfileResolver(sp.GetRequiredService<IOptions<SampleAgentsOptions>>().Value.Profiles),
            // Random.Shared is thread-safe; requests run concurrently.
            new SimulatedAgent(Random.Shared)));
        return builder;
    }

    public static WebApplication MapSampleAgentsApi(this WebApplication app)
    {
        app.MapHttpJsonAgentApi();
        app.MapOpenAiChatAgentApi();
        return app;
    }
}
