using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.ServiceDefaults;
using BenchMesh.Suites.Data;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace BenchMesh.Suites.Tests;

/// <summary>The Suites service in a test server, on a fresh database of its own (migrated when it starts).</summary>
public sealed class SuitesApp : WebApplicationFactory<SuitesDbContext>
{
    public static readonly string[] Tables = ["agents", "agent_versions", "suites", "benchmarks", "dataset_items"];

    public SuitesApp(Infrastructure infrastructure, string purpose)
        : this(infrastructure.CreateDatabase(purpose))
    {
    }

    /// <summary>On a database that may exist already (one left at an older migration, to test the newer ones).</summary>
    public SuitesApp(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    /// <summary><c>BenchMesh:InternalToken</c>, when a test checks it; none (the checks off) by default.</summary>
    public string? InternalToken { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting($"ConnectionStrings:{ResourceNames.SuitesDb}", ConnectionString);
        // The key ring in the same database (its own schema, keys): one database per test.
        builder.UseSetting($"ConnectionStrings:{ResourceNames.KeysDb}", ConnectionString);
        // Production, so that what is asserted (e.g. ProblemDetails for malformed JSON) does not rest on
        // Development-only defaults.
        builder.UseEnvironment("Production");
        if (InternalToken is not null)
        {
            builder.UseSetting(BenchMesh.ServiceDefaults.Workspaces.CallerEndpointExtensions.InternalTokenKey, InternalToken);
        }
    }

    /// <summary>Rows per table, to assert that a rejected request wrote nothing.</summary>
    public async Task<Dictionary<string, long>> CountRowsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var counts = new Dictionary<string, long>();
        foreach (var table in Tables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM suites.{table}", connection);
            counts[table] = (long)(await command.ExecuteScalarAsync())!;
        }

        return counts;
    }
}

internal static class HttpAssertions
{
    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Asserts a 400 ValidationProblem that names <paramref name="field"/>.</summary>
    public static async Task AssertValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(body)!["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"Expected an error for '{field}' in {body}");
    }

    public static async Task AssertProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }
}
