using System.Net;
using System.Runtime.Versioning;
using BenchMesh.Gateway.Keys;
using BenchMesh.Testing;

namespace BenchMesh.Gateway.Tests;

/// <summary>The first start makes workspace <c>default</c> and an operator key, written to a file only its user reads.</summary>
public sealed class OperatorKeyBootstrapTests(Infrastructure infrastructure, StandInServices services)
    : IClassFixture<Infrastructure>, IClassFixture<StandInServices>
{
    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_first_start_writes_a_working_operator_key_to_a_file_only_its_user_can_read()
    {
        using var keyFile = new TemporaryKeyFile(Path.Combine("nested", "admin-key"));
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("bootstrap"), services, keyFile.Path);

        var key = gateway.OperatorKey;

        Assert.True(ApiKeyToken.TryParse(key, out _), key);
        using var works = await gateway.ClientWithKey(key).GetAsync("/workspaces");
        Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile.Path));
        var folder = Path.GetDirectoryName(keyFile.Path)!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task A_well_formed_key_in_the_file_is_imported_as_the_operator_key_of_workspace_default()
    {
        using var temporary = new TemporaryKeyFile();
        var keyFile = temporary.Path;
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        var provisioned = ApiKeyToken.Generate().Key;
        await File.WriteAllTextAsync(keyFile, provisioned + "\n");

        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("bootstrap"), services, keyFile);

        Assert.Equal(provisioned, gateway.OperatorKey);
        using var workspaces = await gateway.ClientWithKey(provisioned).GetAsync("/workspaces");
        Assert.Equal(HttpStatusCode.OK, workspaces.StatusCode);
        Assert.Contains("\"default\"", await workspaces.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("operator", await gateway.QueryScalarAsync<string>(
            "SELECT role FROM gateway.api_keys WHERE workspace_id = 'default' AND id = @id", ("id", provisioned.Split('_')[1])));
    }

    [Fact]
    public async Task A_restart_keeps_the_operator_key_and_a_malformed_file_is_replaced()
    {
        var database = infrastructure.CreateDatabase("bootstrap");
        using var temporary = new TemporaryKeyFile();
        var keyFile = temporary.Path;
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        await File.WriteAllTextAsync(keyFile, "not a key");

        string first;
        await using (var gateway = new GatewayApp(database, services, keyFile))
        {
            first = gateway.OperatorKey;
            Assert.True(ApiKeyToken.TryParse(first, out _), first);
        }

        await using var restarted = new GatewayApp(database, services, keyFile);
        Assert.Equal(first, restarted.OperatorKey);
        Assert.Equal(1L, await restarted.QueryScalarAsync<long>("SELECT count(*) FROM gateway.api_keys WHERE role = 'operator'"));
        using var works = await restarted.ClientWithKey(first).GetAsync("/workspaces");
        Assert.Equal(HttpStatusCode.OK, works.StatusCode);
    }
}
