using System.Text.Json.Nodes;
using BenchMesh.Datasets;
using BenchMesh.Suites.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace BenchMesh.Suites.Tests;

/// <summary>A database written before the specification's suite model migrates, and its suites read back.</summary>
public sealed class MigrationTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private const string BeforeSpecificationModel = "20261127034054_SuiteRegressionThresholds";
    private const string BeforeWorkspaceVisibility = "20261206144724_SuiteSpecificationModel";

    [Fact]
    public async Task SuitesStoredWithoutAWorkspaceBelongToTheDefaultWorkspaceAndNothingBecomesPublic()
    {
        var connectionString = infrastructure.CreateDatabase("migration");
        await using (var db = new SuitesDbContext(new DbContextOptionsBuilder<SuitesDbContext>().UseNpgsql(connectionString).Options))
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeWorkspaceVisibility);
        }

        var legacyId = Guid.CreateVersion7();
        var teamId = Guid.CreateVersion7();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO suites.suites (suite_id, name, category, version, workspace_id, created_at)
                VALUES ($1, 'legacy', 'accuracy', '1', NULL, now()), ($2, 'team', 'accuracy', '1', 'team-a', now())
                """, connection) { Parameters = { new() { Value = legacyId }, new() { Value = teamId } } };
            await insert.ExecuteNonQueryAsync();
        }

        // The service migrates the database when it starts.
        await using var app = new SuitesApp(connectionString);
        var legacy = JsonNode.Parse(await app.CreateClient().WithCaller().GetStringAsync($"/suites/{legacyId}"))!;

        Assert.Equal(("default", false), ((string)legacy["workspace_id"]!, (bool)legacy["is_public"]!));
        await (await app.CreateClient().WithCaller().GetAsync($"/suites/{teamId}")).AssertProblemAsync(System.Net.HttpStatusCode.NotFound);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.CreateClient().WithCaller("team-a").GetAsync($"/suites/{teamId}")).StatusCode);
    }

    [Fact]
    public async Task SuitesStoredBeforeTheSpecificationModelGetDefaultsAndTheContentHashOfTheirItems()
    {
        var connectionString = infrastructure.CreateDatabase("migration");
        await using (var db = new SuitesDbContext(new DbContextOptionsBuilder<SuitesDbContext>().UseNpgsql(connectionString).Options))
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeSpecificationModel);
        }

        var suiteId = Guid.CreateVersion7();
        var benchmarkId = Guid.CreateVersion7();
        var emptyId = Guid.CreateVersion7();
        // Strings that every escaping rule of the canonical form applies to.
        var items = new[]
        {
            ("q1", "What is 2 + 3?", (string?)"5"),
            ("q\"2\"", "Tab\there, newline\nthere, back\\slash, bell \u0007, unicode — über 🎉", null),
        };
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new("""
                        INSERT INTO suites.suites (suite_id, name, description, category, version, workspace_id, created_at)
                        VALUES ($1, 'legacy', NULL, 'reasoning', '1', 'team-a', now())
                        """) { Parameters = { new() { Value = suiteId } } },
                    Benchmark(benchmarkId, suiteId, 0, items.Length),
                    Benchmark(emptyId, suiteId, 1, 0),
                },
            };
            for (var i = 0; i < items.Length; i++)
            {
                batch.BatchCommands.Add(new("""
                    INSERT INTO suites.dataset_items (benchmark_id, ordinal, item_id, input, expected, scoring_rubric)
                    VALUES ($1, $2, $3, $4, $5, NULL)
                    """)
                {
                    Parameters =
                    {
                        new() { Value = benchmarkId }, new() { Value = i }, new() { Value = items[i].Item1 }, new() { Value = items[i].Item2 },
                        new() { Value = (object?)items[i].Item3 ?? DBNull.Value },
                    },
                });
            }

            await batch.ExecuteNonQueryAsync();
        }

        // The service migrates the database when it starts.
        await using var app = new SuitesApp(connectionString);
        var suite = JsonNode.Parse(await app.CreateClient().WithCaller("team-a").GetStringAsync($"/suites/{suiteId}"))!;

        // The SQL must give the bytes of the one definition, the library's.
        var expectedHash = DatasetContentHash.Compute(items.Select(item => new DatasetContentItem(item.Item1, ItemInput.FromText(item.Item2), item.Item3, null)));
        var legacy = suite["benchmarks"]![0]!;
        Assert.Equal(expectedHash, (string)legacy["dataset"]!["content_hash"]!);
        Assert.Equal(DatasetContentHash.Compute(Array.Empty<DatasetContentItem>()), (string)suite["benchmarks"]![1]!["dataset"]!["content_hash"]!);
        Assert.Empty(legacy["metrics_measured"]!.AsArray());
        Assert.Null(legacy["test_type"]);
        Assert.Null(legacy["constraints"]!["time_limit_ms"]);
        Assert.Empty(legacy["baseline_scores"]!.AsObject());
        Assert.Empty(suite["baseline_scores"]!.AsArray());
        Assert.Null(suite["metadata"]);
        Assert.Equal(["5", null], legacy["expected_outputs"]!.AsArray().Select(e => (string?)e));
        // A category from before the list was fixed still reads back as it was stored.
        Assert.Equal("reasoning", (string)suite["category"]!);
    }

    private static NpgsqlBatchCommand Benchmark(Guid benchmarkId, Guid suiteId, int ordinal, int itemCount) => new("""
        INSERT INTO suites.benchmarks (benchmark_id, suite_id, ordinal, name, description, category, scoring_rubric,
            timeout_seconds, target_latency_ms, target_tokens, target_cost_usd, max_tokens, dataset_name, item_count)
        VALUES ($1, $2, $3, 'b' || $3::text, NULL, 'math', '{"type":"exact_match"}', 30, 1000, 1000, 0.01, NULL, NULL, $4)
        """)
    {
        Parameters = { new() { Value = benchmarkId }, new() { Value = suiteId }, new() { Value = ordinal }, new() { Value = itemCount } },
    };
}
