using System.Net;
using BenchMesh.Gateway.Keys;
using BenchMesh.Testing;
using Npgsql;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// The gateway's in-process key cache (docs/gateway.md, "Security contract"): a known key costs no database read, a
/// changed key is evicted by its notification, and nothing is served from memory while the listener is disconnected.
/// </summary>
public sealed class ApiKeyCacheTests(Infrastructure infrastructure, StandInServices services)
    : IClassFixture<Infrastructure>, IClassFixture<StandInServices>
{
    [Fact]
    public async Task A_cached_key_s_next_requests_read_nothing_from_the_database_and_still_check_the_secret()
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("keycache"), services);
        var (_, _, key) = await MemberKeyAsync(gateway);
        using var lookups = new KeyLookupCounter(gateway);

        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.ClientWithKey(key).GetAsync("/agents");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, lookups.FromDatabase);
        Assert.Equal(2, lookups.FromCache);

        // The same key id with another secret: found in memory, refused by the hash comparison.
        var wrongSecret = key[..^4] + (key.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        using var refused = await gateway.ClientWithKey(wrongSecret).GetAsync("/agents");
        await WorkspaceKeysTests.AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Equal(1, lookups.FromDatabase);
    }

    [Fact]
    public async Task With_the_cache_off_every_request_reads_the_key_and_a_revoked_key_fails_on_the_next_request()
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("keycache"), services) { KeyCacheSeconds = 0 };
        var (adminKey, keyId, key) = await MemberKeyAsync(gateway);
        using var lookups = new KeyLookupCounter(gateway);

        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.ClientWithKey(key).GetAsync("/agents");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, lookups.FromDatabase);
        Assert.Equal(0, lookups.FromCache);
        Assert.Equal(0, await CountListenersAsync(gateway.ConnectionString));

        using var revoked = await gateway.ClientWithKey(adminKey).DeleteAsync($"/workspaces/team-a/keys/{keyId}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        using var after = await gateway.ClientWithKey(key).GetAsync("/agents");
        await WorkspaceKeysTests.AssertProblemAsync(after, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_key_revoked_while_the_listener_is_disconnected_fails_and_the_cache_works_again_once_it_is_back()
    {
        // An hour's age: only dropping the cache, not the backstop, can make the revoked key fail within the test.
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("keycache"), services) { KeyCacheSeconds = 3600 };
        var (adminKey, keyId, key) = await MemberKeyAsync(gateway);
        using var lookups = new KeyLookupCounter(gateway);
        for (var i = 0; i < 2; i++)
        {
            using var before = await gateway.ClientWithKey(key).GetAsync("/agents");
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        Assert.Equal(1, lookups.FromCache);

        // The listener's backend is terminated (and gone) before the revocation commits, so its notification reaches nobody.
        int killed;
        await using (var connection = new NpgsqlConnection(gateway.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var terminate = new NpgsqlCommand(
                "SELECT pid, pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name",
                connection, transaction);
            terminate.Parameters.AddWithValue("name", ApiKeyChangeListener.ApplicationName);
            await using (var reader = await terminate.ExecuteReaderAsync())
            {
                Assert.True(await reader.ReadAsync(), "no listener connection in pg_stat_activity");
                killed = reader.GetInt32(0);
                Assert.True(reader.GetBoolean(1), "the listener's backend did not end");
                Assert.False(await reader.ReadAsync(), "more than one listener connection");
            }

            await using var revoke = new NpgsqlCommand("UPDATE gateway.api_keys SET revoked_at = now() WHERE id = @id", connection, transaction);
            revoke.Parameters.AddWithValue("id", keyId);
            Assert.Equal(1, await revoke.ExecuteNonQueryAsync());
            await transaction.CommitAsync();
        }

        await WorkspaceKeysTests.WaitForUnauthorizedAsync(gateway, key);
        using (var again = await gateway.ClientWithKey(key).GetAsync("/agents"))
        {
            await WorkspaceKeysTests.AssertProblemAsync(again, HttpStatusCode.Unauthorized);
        }

        // The listener reconnects on a new backend, and keys are cached again.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await ListenerPidAsync(gateway.ConnectionString) is not { } pid || pid == killed)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }

        await gateway.WaitUntilKeysAreCachedAsync();
        var (_, otherKey) = await gateway.CreateKeyAsync(adminKey, "team-a", "member", "other");
        var cachedBefore = lookups.FromCache;
        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.ClientWithKey(otherKey).GetAsync("/agents");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(cachedBefore + 1, lookups.FromCache);
    }

    /// <summary>
    /// The listener notices a silently dead connection by the kernel's TCP keepalive, not by Npgsql's <c>Keepalive</c>,
    /// whose timed-out waits threw and caught five exceptions every 5 idle seconds (docs/gateway.md). Seen from outside:
    /// the kernel's keepalive timer runs on the listener's socket (found by the port PostgreSQL saw it connect from), which
    /// no socket without <c>SO_KEEPALIVE</c> has while idle.
    /// </summary>
    [Fact]
    public async Task The_listener_s_connection_is_kept_alive_by_the_kernel_s_TCP_keepalive()
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("keycache"), services);
        await gateway.WaitUntilKeysAreCachedAsync();
        int clientPort, serverPort;
        await using (var connection = new NpgsqlConnection(gateway.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT client_port, inet_server_port() FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name",
                connection);
            command.Parameters.AddWithValue("name", ApiKeyChangeListener.ApplicationName);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), "no listener connection in pg_stat_activity");
            (clientPort, serverPort) = (reader.GetInt32(0), reader.GetInt32(1));
        }

        // /proc/net/tcp{,6}: "sl local_address rem_address st tx_queue:rx_queue tr:tm->when ...", addresses as HEXIP:HEXPORT;
        // timer ("tr") 2 is the keepalive timer.
        var timers = new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .Where(File.Exists)
            .SelectMany(File.ReadLines)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 5 && PortOf(f[1]) == clientPort && PortOf(f[2]) == serverPort)
            .Select(f => f[5].Split(':')[0])
            .ToList();
        Assert.Equal(["02"], timers);

        static int PortOf(string address) =>
            address.Contains(':') ? int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.NumberStyles.HexNumber) : -1;
    }

    /// <summary>
    /// Workspace team-a with its admin key and a member key, once the gateway caches keys (with the cache off, at once),
    /// so that the first request through the member key is the first look-up the test counts.
    /// </summary>
    private static async Task<(string AdminKey, string KeyId, string Key)> MemberKeyAsync(GatewayApp gateway)
    {
        var adminKey = await gateway.CreateWorkspaceAsync("team-a");
        var (keyId, key) = await gateway.CreateKeyAsync(adminKey, "team-a", "member");
        if (gateway.KeyCacheSeconds != 0)
        {
            await gateway.WaitUntilKeysAreCachedAsync();
        }

        return (adminKey, keyId, key);
    }

    private static async Task<int> CountListenersAsync(string connectionString) =>
        await ListenerPidAsync(connectionString) is null ? 0 : 1;

    private static async Task<int?> ListenerPidAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name AND query LIKE 'LISTEN%'", connection);
        command.Parameters.AddWithValue("name", ApiKeyChangeListener.ApplicationName);
        return await command.ExecuteScalarAsync() as int?;
    }
}
