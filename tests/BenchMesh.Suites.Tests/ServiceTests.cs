using System.Net;
using BenchMesh.Testing;
using Npgsql;

namespace BenchMesh.Suites.Tests;

public sealed class ServiceTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    [Fact]
    public async Task StartingOnAFreshDatabaseCreatesEveryTable()
    {
        await using var app = new SuitesApp(infrastructure, "migrate");
        _ = app.CreateClient().WithCaller();

        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'suites' ORDER BY table_name", connection);
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Superset(new HashSet<string>(SuitesApp.Tables), new HashSet<string>(tables));
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheRoutes()
    {
        await using var app = new SuitesApp(infrastructure, "openapi");

        var response = await app.CreateClient().WithCaller().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadAsStringAsync();
        foreach (var route in new[] { "\"/agents\"", "\"/agents/{agent_id}\"", "\"/agents/{agent_id}/versions\"", "\"/suites\"", "\"/suites/{suite_id}\"" })
        {
            Assert.Contains(route, document);
        }

        Assert.Contains("workspace_id", document);
    }
}
