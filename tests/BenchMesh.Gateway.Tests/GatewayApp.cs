using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchMesh.Gateway.Keys;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// The gateway in a test server, on a database of its own (migrated when it starts), in front of the stand-in services.
/// Its operator key file is in a temporary folder of its own unless a test names one.
/// </summary>
public sealed class GatewayApp : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _services;
    private readonly int _permitsPerMinute;
    private readonly string? _internalToken;
    private readonly bool _ownsKeyFolder;
    private readonly string? _dashboardPath;

    public GatewayApp(
        string connectionString, StandInServices services, string? operatorKeyFile = null, int permitsPerMinute = 0, string? internalToken = null)
        : this(connectionString, services.Addresses, operatorKeyFile, permitsPerMinute, internalToken)
    {
    }

    /// <param name="services">The address of each service by its resource name.</param>
    /// <param name="dashboardPath">The dashboard's build folder (none: the gateway says how to build it).</param>
    public GatewayApp(
        string connectionString, IReadOnlyDictionary<string, string> services, string? operatorKeyFile = null, int permitsPerMinute = 0,
        string? internalToken = null, string? dashboardPath = null)
    {
        ConnectionString = connectionString;
        _services = services;
        _dashboardPath = dashboardPath;
        _permitsPerMinute = permitsPerMinute;
        _internalToken = internalToken;
        _ownsKeyFolder = operatorKeyFile is null;
        OperatorKeyFile = operatorKeyFile ?? Path.Combine(Path.GetTempPath(), $"bm-gateway-{Guid.NewGuid():N}", "admin-key");
    }

    public string ConnectionString { get; }
    public string OperatorKeyFile { get; }

    /// <summary><c>Gateway:Keys:CacheSeconds</c> (null: the shipped default).</summary>
    public int? KeyCacheSeconds { get; init; }

    /// <summary>The operator key the gateway wrote (or imported) at start.</summary>
    public string OperatorKey
    {
        get
        {
            _ = Server; // starts the host, which writes the file
            return File.ReadAllText(OperatorKeyFile).Trim();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting($"ConnectionStrings:{ResourceNames.GatewayDb}", ConnectionString);
        builder.UseSetting("Gateway:OperatorKeyFile", OperatorKeyFile);
        builder.UseSetting("Gateway:RateLimit:PermitsPerMinute", _permitsPerMinute.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting(CallerEndpointExtensions.InternalTokenKey, _internalToken ?? "");
        builder.UseSetting(DashboardHosting.PathSetting, _dashboardPath ?? "");
        if (KeyCacheSeconds is { } seconds)
        {
            builder.UseSetting($"{ApiKeyCacheOptions.Section}:{nameof(ApiKeyCacheOptions.CacheSeconds)}", seconds.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var (name, address) in _services)
        {
            builder.UseSetting($"services:{name}:http:0", address);
        }
    }

    /// <summary>
    /// Waits (30 s at most) until the key cache's change listener is connected, from when keys are cached. A replica
    /// serves correctly before that too (from PostgreSQL); tests about the cache start from here.
    /// </summary>
    public async Task WaitUntilKeysAreCachedAsync()
    {
        var cache = Services.GetRequiredService<ApiKeyCache>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!cache.Listening)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    /// <summary>A client that sends <paramref name="key"/> as its Bearer token (none when null).</summary>
    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Creates workspace <paramref name="id"/> with the operator key; returns its first admin key.</summary>
    public async Task<string> CreateWorkspaceAsync(string id)
    {
        using var response = await ClientWithKey(OperatorKey).PostAsJsonAsync("/workspaces", new { id, name = $"Team {id}" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["admin_key"]!["key"]!.GetValue<string>();
    }

    /// <summary>Creates a key of <paramref name="role"/> in <paramref name="workspace"/> with <paramref name="adminKey"/>; returns (key id, key).</summary>
    public async Task<(string KeyId, string Key)> CreateKeyAsync(string adminKey, string workspace, string role, string name = "test key")
    {
        using var response = await ClientWithKey(adminKey).PostAsJsonAsync($"/workspaces/{workspace}/keys", new { name, role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var created = JsonNode.Parse(body)!;
        return (created["key_id"]!.GetValue<string>(), created["key"]!.GetValue<string>());
    }

    /// <summary>One value from the gateway's database (e.g. a stored hash).</summary>
    public async Task<T> QueryScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        var folder = Path.GetDirectoryName(OperatorKeyFile)!;
        if (_ownsKeyFolder && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
