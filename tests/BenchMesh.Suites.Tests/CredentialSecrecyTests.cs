extern alias catalog;

using System.Net;
using BenchMesh.Credentials;
using BenchMesh.Suites.Data;
using BenchMesh.Testing;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using static BenchMesh.Suites.Tests.HttpAssertions;
using InternalTokenClientInterceptor = catalog::BenchMesh.Catalog.InternalTokenClientInterceptor;

namespace BenchMesh.Suites.Tests;

/// <summary>Agent credentials are encrypted at rest and in the catalog; the catalog answers only BenchMesh's services.</summary>
public sealed class CredentialSecrecyTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private const string BeforeEncryption = "20261206144724_SuiteSpecificationModel";

    [Fact]
    public async Task A_registered_agents_credential_is_in_no_column_of_its_row_nor_in_any_response()
    {
        await using var app = new SuitesApp(infrastructure, "secrets");
        var secret = $"sk-live-{Guid.NewGuid():N}";
        var client = app.CreateClient().WithCaller("team-a");

        var created = await client.PostAsync("/agents", Json($$"""
            { "name": "paid-bot", "workspace_id": "team-a", "protocol": "http-json", "endpoint": "http://127.0.0.1:5161/json",
              "api_key": "{{secret}}", "versions": [ { "version": "1.0" } ] }
            """));
        var createdBody = await created.Content.ReadAsStringAsync();
        var agentId = (string)(await created.ReadObjectAsync())["agent_id"]!;
        var read = await client.GetStringAsync($"/agents/{agentId}");
        var list = await client.GetStringAsync("/agents");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("\"has_api_key\":true", read, StringComparison.Ordinal);
        Assert.All([createdBody, read, list], body => Assert.DoesNotContain(secret, body, StringComparison.Ordinal));

        // The whole row as text, and every table of the database's keys schema as well: the secret's bytes are nowhere.
        var row = await QueryTextAsync(app.ConnectionString, "SELECT row_to_json(a)::text FROM suites.agents a WHERE agent_id = $1", Guid.Parse(agentId));
        var keyRing = await QueryTextAsync(app.ConnectionString, "SELECT coalesce(string_agg(xml, ''), '') FROM keys.data_protection_keys");
        Assert.DoesNotContain(secret, row, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, keyRing, StringComparison.Ordinal);
        Assert.Contains("\"plaintext_api_key\":null", row, StringComparison.Ordinal);
        var stored = await QueryTextAsync(app.ConnectionString, "SELECT protected_api_key FROM suites.agents WHERE agent_id = $1", Guid.Parse(agentId));
        Assert.NotEmpty(stored);

        // Decryptable by another service on the same key ring only.
        await using var runner = await KeyRingHost.StartAsync(app.ConnectionString, KeyRingAccess.ReadsKeys);
        Assert.Equal(secret, runner.Credentials.Unprotect(stored));
    }

    [Fact]
    public async Task A_key_ring_made_by_one_service_decrypts_in_another_and_in_no_service_on_another_key_ring()
    {
        var keys = infrastructure.CreateDatabase("keyring");
        await using var suites = await KeyRingHost.StartAsync(keys, KeyRingAccess.ManagesKeys);
        var protectedKey = suites.Credentials.Protect("sk-shared");

        await using var runner = await KeyRingHost.StartAsync(keys, KeyRingAccess.ReadsKeys);
        await using var stress = await KeyRingHost.StartAsync(keys, KeyRingAccess.ReadsKeys);
        await using var stranger = await KeyRingHost.StartAsync(infrastructure.CreateDatabase("otherring"), KeyRingAccess.ReadsKeys);

        Assert.Equal("sk-shared", runner.Credentials.Unprotect(protectedKey));
        Assert.Equal("sk-shared", stress.Credentials.Unprotect(protectedKey));
        var refused = Assert.Throws<AgentCredentialUnreadableException>(() => stranger.Credentials.Unprotect(protectedKey));
        Assert.Contains("could not be decrypted", refused.Message, StringComparison.Ordinal);
        // Altered ciphertext is refused too (authenticated encryption).
        Assert.Throws<AgentCredentialUnreadableException>(() => runner.Credentials.Unprotect(protectedKey[..^4] + "AAAA"));
        // Only the managing service created a key.
        Assert.Equal("1", await QueryTextAsync(keys, "SELECT count(*)::text FROM keys.data_protection_keys"));
    }

    [Fact]
    public async Task Credentials_stored_in_plain_text_before_encryption_are_encrypted_at_start_once()
    {
        var connectionString = infrastructure.CreateDatabase("legacykeys");
        await using (var db = new SuitesDbContext(new DbContextOptionsBuilder<SuitesDbContext>().UseNpgsql(connectionString).Options))
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeEncryption);
        }

        var withKey = Guid.CreateVersion7();
        var withoutKey = Guid.CreateVersion7();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO suites.agents (agent_id, name, workspace_id, protocol, endpoint, api_key, input_per_million_usd, output_per_million_usd, per_call_usd, created_at)
                VALUES ($1, 'legacy', 'team-a', 'http-json', 'http://127.0.0.1:5161/json', 'sk-legacy', 0, 0, 0, now()),
                       ($2, 'keyless', 'team-a', 'http-json', 'http://127.0.0.1:5161/json', NULL, 0, 0, 0, now())
                """, connection) { Parameters = { new() { Value = withKey }, new() { Value = withoutKey } } };
            await insert.ExecuteNonQueryAsync();
        }

        await using (var app = new SuitesApp(connectionString))
        {
            _ = app.Server; // starts: migrates, then encrypts
        }

        const string Columns = "SELECT coalesce(plaintext_api_key, '<null>') || '|' || coalesce(protected_api_key, '<null>') FROM suites.agents WHERE agent_id = $1";
        var first = await QueryTextAsync(connectionString, Columns, withKey);
        Assert.Equal("<null>|<null>", await QueryTextAsync(connectionString, Columns, withoutKey));
        Assert.StartsWith("<null>|", first, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-legacy", first, StringComparison.Ordinal);
        await using (var runner = await KeyRingHost.StartAsync(connectionString, KeyRingAccess.ReadsKeys))
        {
            Assert.Equal("sk-legacy", runner.Credentials.Unprotect(first["<null>|".Length..]));
        }

        // A second start finds nothing to do: the ciphertext is left as it is.
        await using (var again = new SuitesApp(connectionString))
        {
            var read = await again.CreateClient().WithCaller("team-a").GetStringAsync($"/agents/{withKey}");
            Assert.Contains("\"has_api_key\":true", read, StringComparison.Ordinal);
        }

        Assert.Equal(first, await QueryTextAsync(connectionString, Columns, withKey));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task With_an_internal_token_configured_the_catalog_refuses_calls_without_it(string? presented)
    {
        await using var app = new SuitesApp(infrastructure, "grpcauth") { InternalToken = "right-token" };
        var agentId = await RegisterAsync(app);
        using var channel = CatalogGrpcTests.Channel(app);
        var headers = presented is null ? null : new Metadata { { InternalTokenClientInterceptor.MetadataKey, presented } };

        var refused = await Assert.ThrowsAsync<RpcException>(() => CatalogGrpcTests.Catalog.GetAgentVersionAsync(channel, agentId, "", headers));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task With_the_right_internal_token_the_catalog_client_is_answered()
    {
        await using var app = new SuitesApp(infrastructure, "grpcauth") { InternalToken = "right-token" };
        var agentId = await RegisterAsync(app);
        using var channel = CatalogGrpcTests.Channel(app);
        // The catalog's own client, with the interceptor every service's AddSuiteCatalog adds when a token is configured.
        var client = new catalog::BenchMesh.Contracts.Grpc.Suites.SuiteCatalog.SuiteCatalogClient(
            channel.CreateCallInvoker().Intercept(new InternalTokenClientInterceptor("right-token")));
        var catalogClient = new catalog::BenchMesh.Catalog.GrpcSuiteCatalog(client);

        var agent = await catalogClient.GetAgentVersionAsync(Guid.Parse(agentId), null, CancellationToken.None);

        Assert.NotNull(agent);
        Assert.True(agent.Snapshot.HasApiKey);
        Assert.NotEqual("sk-abc", agent.ProtectedApiKey);
    }

    private static async Task<string> RegisterAsync(SuitesApp app)
    {
        var response = await app.CreateClient().WithCaller(Callers.Of("team-a"), app.InternalToken).PostAsync("/agents", Json("""
            { "name": "guarded", "workspace_id": "team-a", "protocol": "http-json", "endpoint": "http://127.0.0.1:5161/json",
              "api_key": "sk-abc", "versions": [ { "version": "1.0" } ] }
            """));
        return (string)(await response.ReadObjectAsync())["agent_id"]!;
    }

    private static async Task<string> QueryTextAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (string)(await command.ExecuteScalarAsync())!;
    }
}
