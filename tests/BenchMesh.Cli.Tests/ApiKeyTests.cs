using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

/// <summary>
/// The API key the CLI sends: --api-key, else $BENCHMESH_API_KEY, else the nearest .benchmesh/admin-key upward from the
/// current directory; and what it says when the gateway answers 401.
/// </summary>
public sealed class ApiKeyTests : IDisposable
{
    private const string FileKey = "bm_00000000000000f1_file";
    private const string EnvironmentKey = "bm_00000000000000e1_environment";
    private const string OptionKey = "bm_00000000000000a1_option";

    private readonly string _root = Directory.CreateTempSubdirectory("benchmesh-keys-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Task<FakeGateway> GatewayAsync(int status = StatusCodes.Status200OK) => FakeGateway.StartAsync(app =>
        app.MapGet("/benchmarks/runs", () => status == StatusCodes.Status200OK
            ? Api.Json(new { runs = Array.Empty<object>(), next_cursor = (string?)null })
            : Results.Problem(title: "Authentication required.", detail: "The API key is unknown or revoked.", statusCode: status)));

    /// <summary>A project folder with .benchmesh/admin-key at its root, and a nested folder to run from.</summary>
    private string ProjectWithKeyFile()
    {
        Directory.CreateDirectory(Path.Combine(_root, ".benchmesh"));
        File.WriteAllText(Path.Combine(_root, ".benchmesh", "admin-key"), FileKey + "\n");
        return Directory.CreateDirectory(Path.Combine(_root, "src", "deeper")).FullName;
    }

    [Fact]
    public async Task The_option_comes_before_the_environment_variable_and_the_file()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunInDirectoryAsync(ProjectWithKeyFile(), new Dictionary<string, string> { ["BENCHMESH_API_KEY"] = EnvironmentKey },
            "runs", "list", "--gateway", gateway.Url, "--api-key", OptionKey);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"Bearer {OptionKey}", Assert.Single(gateway.Requests).Authorization);
    }

    [Fact]
    public async Task The_environment_variable_comes_before_the_file()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunInDirectoryAsync(ProjectWithKeyFile(), new Dictionary<string, string> { ["BENCHMESH_API_KEY"] = EnvironmentKey },
            "runs", "list", "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"Bearer {EnvironmentKey}", Assert.Single(gateway.Requests).Authorization);
    }

    [Fact]
    public async Task Without_option_or_variable_the_nearest_key_file_upward_is_used()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunInDirectoryAsync(ProjectWithKeyFile(), null, "runs", "list", "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"Bearer {FileKey}", Assert.Single(gateway.Requests).Authorization);
    }

    [Fact]
    public async Task With_no_key_anywhere_a_401_says_none_was_sent_and_names_the_three_ways()
    {
        await using var gateway = await GatewayAsync(StatusCodes.Status401Unauthorized);

        var result = await CliHarness.RunInDirectoryAsync(_root, null, "runs", "list", "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 3, result.ToString()); // usage: the key is the user's to fix
        Assert.Equal("", Assert.Single(gateway.Requests).Authorization);
        Assert.Contains("No API key was sent.", result.Error);
        AssertNamesTheThreeWays(result.Error);
    }

    [Fact]
    public async Task A_refused_key_is_named_by_where_it_came_from()
    {
        await using var gateway = await GatewayAsync(StatusCodes.Status401Unauthorized);

        var result = await CliHarness.RunInDirectoryAsync(ProjectWithKeyFile(), null, "runs", "list", "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 3, result.ToString()); // usage: the key is the user's to fix
        Assert.Contains("The gateway refused the API key from", result.Error);
        Assert.Contains(Path.Combine(_root, ".benchmesh", "admin-key"), result.Error.ReplaceLineEndings(" "), StringComparison.Ordinal);
        AssertNamesTheThreeWays(result.Error);
        Assert.DoesNotContain(FileKey, result.All);
    }

    private static void AssertNamesTheThreeWays(string error)
    {
        var text = error.ReplaceLineEndings(" ");
        Assert.Contains("--api-key", text);
        Assert.Contains("$BENCHMESH_API_KEY", text);
        Assert.Contains(".benchmesh/admin-key", text);
    }
}
