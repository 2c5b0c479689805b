using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BenchMesh.Testing;

namespace BenchMesh.Gateway.Tests;

/// <summary>The admin API: operators create workspaces, a workspace's admins manage its keys, and nobody else does.</summary>
public sealed class WorkspaceKeysTests(Infrastructure infrastructure, StandInServices services)
    : IClassFixture<Infrastructure>, IClassFixture<StandInServices>
{
    [Fact]
    public async Task An_operator_creates_a_workspace_whose_admin_key_works_and_lists_it()
    {
        await using var gateway = NewGateway();
        var operatorClient = gateway.ClientWithKey(gateway.OperatorKey);

        using var created = await operatorClient.PostAsJsonAsync("/workspaces", new { id = "team-a", name = "Team A" });
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/workspaces/team-a", created.Headers.Location?.OriginalString);
        Assert.Equal("team-a", (string)body["id"]!);
        Assert.Equal("admin", (string)body["admin_key"]!["role"]!);
        var adminKey = (string)body["admin_key"]!["key"]!;
        Assert.StartsWith((string)body["admin_key"]!["prefix"]!, adminKey, StringComparison.Ordinal);

        using var proxied = await gateway.ClientWithKey(adminKey).GetAsync("/agents");
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);

        var list = JsonNode.Parse(await operatorClient.GetStringAsync("/workspaces"))!["workspaces"]!.AsArray();
        Assert.Equal(["default", "team-a"], list.Select(w => (string)w!["id"]!).Order());

        using var again = await operatorClient.PostAsJsonAsync("/workspaces", new { id = "team-a", name = "Again" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Only_an_operator_creates_or_lists_workspaces()
    {
        await using var gateway = NewGateway();
        var adminKey = await gateway.CreateWorkspaceAsync("team-a");

        using var create = await gateway.ClientWithKey(adminKey).PostAsJsonAsync("/workspaces", new { id = "team-b", name = "B" });
        using var list = await gateway.ClientWithKey(adminKey).GetAsync("/workspaces");

        await AssertProblemAsync(create, HttpStatusCode.Forbidden);
        await AssertProblemAsync(list, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Invalid_requests_get_400_with_snake_case_field_errors()
    {
        await using var gateway = NewGateway();
        var operatorClient = gateway.ClientWithKey(gateway.OperatorKey);

        using var badWorkspace = await operatorClient.PostAsJsonAsync("/workspaces", new { id = "Not A Slug!", name = "" });
        using var badKey = await operatorClient.PostAsJsonAsync("/workspaces/default/keys", new { name = "ci", role = "superuser" });

        var workspaceErrors = await AssertValidationProblemAsync(badWorkspace);
        Assert.True(workspaceErrors.ContainsKey("id") && workspaceErrors.ContainsKey("name"), workspaceErrors.ToJsonString());
        var keyErrors = await AssertValidationProblemAsync(badKey);
        Assert.True(keyErrors.ContainsKey("role"), keyErrors.ToJsonString());
    }

    [Fact]
    public async Task A_listing_shows_no_secret_and_the_database_holds_only_the_secret_s_hash()
    {
        await using var gateway = NewGateway();
        var adminKey = await gateway.CreateWorkspaceAsync("team-a");
        var (keyId, key) = await gateway.CreateKeyAsync(adminKey, "team-a", "member", "ci");
        var secret = key[(key.IndexOf('_', 3) + 1)..];

        var listing = await gateway.ClientWithKey(adminKey).GetStringAsync("/workspaces/team-a/keys");

        Assert.DoesNotContain(secret, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(adminKey, listing, StringComparison.Ordinal);
        var keys = JsonNode.Parse(listing)!["keys"]!.AsArray();
        Assert.Equal(["admin", "ci"], keys.Select(k => (string)k!["name"]!));
        Assert.All(keys, k => Assert.Null(k!["key"]));
        var ci = keys.Single(k => (string)k!["key_id"]! == keyId)!;
        Assert.Equal("member", (string)ci["role"]!);
        Assert.StartsWith((string)ci["prefix"]!, key, StringComparison.Ordinal);

        var stored = await gateway.QueryScalarAsync<byte[]>("SELECT secret_hash FROM gateway.api_keys WHERE id = @id", ("id", keyId));
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(secret)), stored);
        Assert.NotEqual(Encoding.ASCII.GetBytes(secret), stored);
        var rowText = await gateway.QueryScalarAsync<string>("SELECT row_to_json(k)::text FROM gateway.api_keys k WHERE id = @id", ("id", keyId));
        Assert.DoesNotContain(secret, rowText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_fails_at_every_gateway_replica_once_its_notification_arrives()
    {
        var database = infrastructure.CreateDatabase("keys");
        using var keyFile = new TemporaryKeyFile();
        await using var replicaA = new GatewayApp(database, services, keyFile.Path);
        var adminKey = await replicaA.CreateWorkspaceAsync("team-a");
        await using var replicaB = new GatewayApp(database, services, keyFile.Path);
        await replicaB.WaitUntilKeysAreCachedAsync();
        var (keyId, key) = await replicaA.CreateKeyAsync(adminKey, "team-a", "member");
        using var lookupsB = new KeyLookupCounter(replicaB);
        for (var i = 0; i < 2; i++)
        {
            using var before = await replicaB.ClientWithKey(key).GetAsync("/agents");
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        Assert.Equal(1, lookupsB.FromCache); // replica B holds the key in memory: only the notification can evict it

        using var revoked = await replicaA.ClientWithKey(adminKey).DeleteAsync($"/workspaces/team-a/keys/{keyId}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        foreach (var replica in new[] { replicaA, replicaB })
        {
            await WaitForUnauthorizedAsync(replica, key);
            for (var i = 0; i < 3; i++)
            {
                using var after = await replica.ClientWithKey(key).GetAsync("/agents");
                await AssertProblemAsync(after, HttpStatusCode.Unauthorized);
            }
        }

        var listed = JsonNode.Parse(await replicaB.ClientWithKey(adminKey).GetStringAsync("/workspaces/team-a/keys"))!["keys"]!.AsArray();
        Assert.NotNull(listed.Single(k => (string)k!["key_id"]! == keyId)!["revoked_at"]);
        using var twice = await replicaB.ClientWithKey(adminKey).DeleteAsync($"/workspaces/team-a/keys/{keyId}");
        Assert.Equal(HttpStatusCode.NoContent, twice.StatusCode);
    }

    [Fact]
    public async Task Another_workspace_s_keys_answer_404_whether_it_exists_or_not()
    {
        await using var gateway = NewGateway();
        var adminA = await gateway.CreateWorkspaceAsync("team-a");
        var adminB = await gateway.CreateWorkspaceAsync("team-b");
        var (keyIdB, _) = await gateway.CreateKeyAsync(adminB, "team-b", "member");
        var clientA = gateway.ClientWithKey(adminA);

        using var list = await clientA.GetAsync("/workspaces/team-b/keys");
        using var create = await clientA.PostAsJsonAsync("/workspaces/team-b/keys", new { name = "x", role = "member" });
        using var revoke = await clientA.DeleteAsync($"/workspaces/team-b/keys/{keyIdB}");
        using var revokeViaOwn = await clientA.DeleteAsync($"/workspaces/team-a/keys/{keyIdB}");
        using var missing = await clientA.GetAsync("/workspaces/no-such-team/keys");

        foreach (var response in new[] { list, create, revoke, revokeViaOwn, missing })
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound);
        }

        using var stillWorks = await gateway.ClientWithKey(adminB).GetAsync("/workspaces/team-b/keys");
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
    }

    [Fact]
    public async Task A_member_cannot_manage_keys_and_an_admin_cannot_mint_or_revoke_operator_keys()
    {
        await using var gateway = NewGateway();
        var adminKey = await gateway.CreateWorkspaceAsync("team-a");
        var (adminKeyId, _) = await gateway.CreateKeyAsync(adminKey, "team-a", "admin", "second admin");
        var (_, memberKey) = await gateway.CreateKeyAsync(adminKey, "team-a", "member");
        var member = gateway.ClientWithKey(memberKey);

        using var memberList = await member.GetAsync("/workspaces/team-a/keys");
        using var memberCreate = await member.PostAsJsonAsync("/workspaces/team-a/keys", new { name = "x", role = "member" });
        using var memberRevoke = await member.DeleteAsync($"/workspaces/team-a/keys/{adminKeyId}");
        using var adminMintsOperator = await gateway.ClientWithKey(adminKey).PostAsJsonAsync("/workspaces/team-a/keys", new { name = "x", role = "operator" });

        foreach (var response in new[] { memberList, memberCreate, memberRevoke, adminMintsOperator })
        {
            await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        }

        // The default workspace's admin cannot revoke the operator key that lives there.
        var defaultAdmin = await gateway.CreateKeyAsync(gateway.OperatorKey, "default", "admin");
        var operatorKeyId = gateway.OperatorKey.Split('_')[1];
        using var revokeOperator = await gateway.ClientWithKey(defaultAdmin.Key).DeleteAsync($"/workspaces/default/keys/{operatorKeyId}");
        await AssertProblemAsync(revokeOperator, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_operator_manages_any_workspace_s_keys()
    {
        await using var gateway = NewGateway();
        await gateway.CreateWorkspaceAsync("team-a");

        var (keyId, key) = await gateway.CreateKeyAsync(gateway.OperatorKey, "team-a", "member");
        using var revoke = await gateway.ClientWithKey(gateway.OperatorKey).DeleteAsync($"/workspaces/team-a/keys/{keyId}");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await gateway.ClientWithKey(key).GetAsync("/agents");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    private GatewayApp NewGateway() => new(infrastructure.CreateDatabase("keys"), services);

    /// <summary>Asks with <paramref name="key"/> until the answer is 401 (10 s at most: a notification takes milliseconds).</summary>
    internal static async Task WaitForUnauthorizedAsync(GatewayApp gateway, string key)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await gateway.ClientWithKey(key).GetAsync("/agents");
            if (response.StatusCode == HttpStatusCode.Unauthorized || DateTime.UtcNow > deadline)
            {
                await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
                return;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (int)JsonNode.Parse(body)!["status"]!);
    }

    private static async Task<JsonObject> AssertValidationProblemAsync(HttpResponseMessage response)
    {
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
    }
}
