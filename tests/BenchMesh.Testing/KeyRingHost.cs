using BenchMesh.Credentials;
using BenchMesh.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Testing;

/// <summary>
/// Another process's view of the key ring: a host of its own with only <see cref="CredentialsExtensions.AddAgentCredentials"/>
/// on the given database (migrated when it starts), as Suites (<see cref="KeyRingAccess.ManagesKeys"/>) or as a service
/// that only decrypts. Tests use it to encrypt as Suites would for a Runner under test, or to decrypt what a Suites under
/// test stored.
/// </summary>
public sealed class KeyRingHost : IAsyncDisposable
{
    private readonly IHost _host;

    private KeyRingHost(IHost host) => _host = host;

    public AgentCredentials Credentials => _host.Services.GetRequiredService<AgentCredentials>();

    public static async Task<KeyRingHost> StartAsync(string connectionString, KeyRingAccess access)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration[$"ConnectionStrings:{ResourceNames.KeysDb}"] = connectionString;
        builder.AddAgentCredentials(access);
        var host = builder.Build();
        await host.StartAsync();
        return new KeyRingHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
