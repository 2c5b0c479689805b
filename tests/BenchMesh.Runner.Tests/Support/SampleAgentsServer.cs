using BenchMesh.SampleAgents.Domain;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>The real SampleAgents service on a real loopback socket (a free port), as the runner meets it.</summary>
public sealed class SampleAgentsServer : WebApplicationFactory<AgentProfile>
{
    public SampleAgentsServer()
    {
        UseKestrel();
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
    }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Never the fixed 5161 of appsettings.json: a developer's running SampleAgents may hold it.
        builder.UseSetting("Kestrel:Endpoints:http:Url", "http://127.0.0.1:0");
        builder.UseEnvironment("Production");
    }
}
