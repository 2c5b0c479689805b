using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace BenchMesh.Scale.Benchmark;

/// <summary>The three databases' connection strings (the services' own database names).</summary>
public sealed record Databases(string Scoring, string Leaderboard, string Regression)
{
    public static Databases On(string server) => new(
        With(server, "benchmesh_scoring"), With(server, "benchmesh_leaderboard"), With(server, "regression"));

    private static string With(string server, string database) =>
        new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
}

/// <summary>
/// Fills the tables the measured routes read, as a real history would have: per execution one row in
/// <c>scoring.benchmark_executions</c>, <c>leaderboard.agent_benchmark_scores</c> and <c>regression.version_results</c>
/// (what Scoring writes and what the two consumers keep of its ExecutionScored), plus the raw samples of the newest
/// executions in <c>scoring.execution_samples</c>. Binary COPY (Npgsql's importer) on one connection per database, the
/// three in parallel. Secondary indexes and constraints (the migrations') are dropped before and rebuilt after, as a
/// bulk load should; the materialized views are refreshed, the filled tables vacuumed and every table analysed at the end.
/// </summary>
public sealed class Filler(World world, Databases databases, TextWriter log)
{
    private const int Seed = 2026;

    public async Task FillAsync(long count, long sampleExecutions, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        await using var scoring = await OpenAsync(databases.Scoring, ct);
        await using var leaderboard = await OpenAsync(databases.Leaderboard, ct);
        await using var regression = await OpenAsync(databases.Regression, ct);
        // The databases are this run's own (a private server): whatever an earlier fill left goes.
        await ExecuteAsync(scoring, "TRUNCATE scoring.execution_samples, scoring.benchmark_executions", ct);
        await ExecuteAsync(leaderboard, "TRUNCATE leaderboard.agent_benchmark_scores", ct);
        await ExecuteAsync(regression, "TRUNCATE regression.version_results", ct);
        var scoringIndexes = await DropIndexesAsync(scoring, ["scoring.benchmark_executions", "scoring.execution_samples"], ct);
        var leaderboardIndexes = await DropIndexesAsync(leaderboard, ["leaderboard.agent_benchmark_scores"], ct);
        var regressionIndexes = await DropIndexesAsync(regression, ["regression.version_results"], ct);

        var random = new Random(Seed);
        var samples = new List<SyntheticExecution>();
        // Synchronous writes: the importer buffers rows and only blocks to flush (the async calls cost far more CPU per field).
        await using (var executions = await scoring.BeginBinaryImportAsync(ExecutionsCopy, ct))
        await using (var scores = await leaderboard.BeginBinaryImportAsync(ScoresCopy, ct))
        await using (var results = await regression.BeginBinaryImportAsync(ResultsCopy, ct))
        {
            for (long i = 0; i < count; i++)
            {
                var e = SyntheticExecution.Create(world, i, count, random);
                WriteExecution(executions, e);
                WriteScore(scores, e);
                WriteResult(results, e);
                if (i >= count - sampleExecutions)
                {
                    samples.Add(e);
                }

                if ((i + 1) % 1_000_000 == 0)
                {
                    log.WriteLine($"  {i + 1:N0} executions written ({total.Elapsed.TotalSeconds:0} s)");
                }
            }

            await Task.WhenAll(executions.CompleteAsync(ct).AsTask(), scores.CompleteAsync(ct).AsTask(), results.CompleteAsync(ct).AsTask());
            log.WriteLine($"  {count:N0} executions copied into each of the three tables in {total.Elapsed.TotalSeconds:0} s");
        }

        await WriteSamplesAsync(scoring, samples, random, ct);
        log.WriteLine($"  samples of the newest {samples.Count:N0} executions copied ({total.Elapsed.TotalSeconds:0} s)");

        var copied = total.Elapsed;
        await Task.WhenAll(
            RestoreAsync(scoring, scoringIndexes, ct),
            RestoreAsync(leaderboard, leaderboardIndexes, ct),
            RestoreAsync(regression, regressionIndexes, ct));
        log.WriteLine($"  indexes and constraints rebuilt in {(total.Elapsed - copied).TotalSeconds:0} s");

        // The leaderboard's read models, as its ViewRefresher builds them (not CONCURRENTLY: nobody reads them yet).
        var refresh = Stopwatch.StartNew();
        await ExecuteAsync(leaderboard, "REFRESH MATERIALIZED VIEW leaderboard.agent_comparison_matrix", ct);
        await ExecuteAsync(leaderboard, "REFRESH MATERIALIZED VIEW leaderboard.benchmark_leaderboard", ct);
        // A new refresh number, as the service's refresh sets one: rank intervals stored before the fill are not the views'.
        await ExecuteAsync(leaderboard, "UPDATE leaderboard.view_generations SET generation = generation + 1", ct);
        log.WriteLine($"  materialized views refreshed in {refresh.Elapsed.TotalSeconds:0} s");
        // VACUUM (ANALYZE), not ANALYZE alone: freshly copied tables have no visibility map and unfrozen rows, so
        // autovacuum would otherwise process them (minutes at 10 M) while the pipeline is measured, and index-only scans
        // would visit the heap. The benchmark measures the services, not the fill's aftermath (docs/scale.md).
        var vacuum = Stopwatch.StartNew();
        await Task.WhenAll(
            ExecuteAsync(scoring, "VACUUM (ANALYZE) scoring.benchmark_executions, scoring.execution_samples", ct),
            ExecuteAsync(leaderboard, "VACUUM (ANALYZE) leaderboard.agent_benchmark_scores", ct),
            ExecuteAsync(regression, "VACUUM (ANALYZE) regression.version_results", ct));
        await Task.WhenAll(ExecuteAsync(scoring, "ANALYZE", ct), ExecuteAsync(leaderboard, "ANALYZE", ct), ExecuteAsync(regression, "ANALYZE", ct));
        log.WriteLine($"  filled tables vacuumed and analysed in {vacuum.Elapsed.TotalSeconds:0} s");
        log.WriteLine($"  filled in {total.Elapsed.TotalSeconds:0} s");
    }

    private const string ExecutionsCopy = """
        COPY scoring.benchmark_executions (id, run_id, agent_id, agent_name, agent_version, workspace_id, suite_id, suite_category,
            benchmark_id, benchmark_name, benchmark_category, start_time, end_time, total_duration_ms, accuracy_score, speed_score,
            efficiency_score, cost_score, reliability_score, overall_score, tokens_used, api_calls_made, cost_usd, status, metrics,
            warmup_runs, iterations, concurrency, terminated_early, judge_calls, judge_ungradable, judge_input_tokens,
            judge_output_tokens, judge_cost_usd, judge_duration_ms, message_schema_version, worker_id, created_at)
        FROM STDIN (FORMAT BINARY)
        """;

    private static void WriteExecution(NpgsqlBinaryImporter w, SyntheticExecution e)
    {
        w.StartRow();
        WriteIdentityColumns(w, e);
        w.Write(e.Benchmark.Category, NpgsqlDbType.Varchar);
        w.Write(e.Benchmark.BenchmarkId, NpgsqlDbType.Uuid);
        w.Write(e.Benchmark.Name, NpgsqlDbType.Varchar);
        w.Write(e.Benchmark.Category, NpgsqlDbType.Varchar);
        w.Write(e.StartedAt, NpgsqlDbType.TimestampTz);
        w.Write(e.ScoredAt, NpgsqlDbType.TimestampTz);
        w.Write(e.DurationMs, NpgsqlDbType.Bigint);
        WriteScoreColumns(w, e);
        w.Write(e.TokensUsed, NpgsqlDbType.Bigint);
        w.Write(e.Samples, NpgsqlDbType.Integer);
        w.Write(e.TotalCostUsd, NpgsqlDbType.Numeric);
        w.Write(e.Status, NpgsqlDbType.Varchar);
        w.Write(e.MetricsJson, NpgsqlDbType.Jsonb);
        w.Write(1, NpgsqlDbType.Integer);
        w.Write(e.Iterations, NpgsqlDbType.Integer);
        w.Write(4, NpgsqlDbType.Integer);
        w.Write(e.Status == "terminated", NpgsqlDbType.Boolean);
        w.Write(0, NpgsqlDbType.Integer);
        w.Write(0, NpgsqlDbType.Integer);
        w.Write(0L, NpgsqlDbType.Bigint);
        w.Write(0L, NpgsqlDbType.Bigint);
        w.Write(0m, NpgsqlDbType.Numeric);
        w.Write(0.0, NpgsqlDbType.Double);
        w.Write(2, NpgsqlDbType.Integer);
        w.Write("worker-1", NpgsqlDbType.Varchar);
        w.Write(e.ScoredAt, NpgsqlDbType.TimestampTz);
    }

    private const string ScoresCopy = """
        COPY leaderboard.agent_benchmark_scores (execution_id, run_id, agent_id, agent_name, agent_version, workspace_id, suite_id,
            suite_category, benchmark_id, benchmark_name, benchmark_category, status, execution_status, accuracy_score, speed_score,
            efficiency_score, cost_score, reliability_score, overall_score, samples, error_rate, median_latency_ms, p95_latency_ms,
            mean_tokens_per_task, mean_cost_per_task_usd, tokens_used, total_cost_usd, api_calls_made, per_iteration, item_outcomes,
            scored_at)
        FROM STDIN (FORMAT BINARY)
        """;

    private static void WriteScore(NpgsqlBinaryImporter w, SyntheticExecution e)
    {
        w.StartRow();
        WriteIdentityColumns(w, e);
        w.Write(e.Benchmark.Category, NpgsqlDbType.Varchar);
        w.Write(e.Benchmark.BenchmarkId, NpgsqlDbType.Uuid);
        w.Write(e.Benchmark.Name, NpgsqlDbType.Varchar);
        w.Write(e.Benchmark.Category, NpgsqlDbType.Varchar);
        w.Write(e.Status == "failed" ? "failed" : "completed", NpgsqlDbType.Varchar);
        w.Write(e.Status, NpgsqlDbType.Varchar);
        WriteScoreColumns(w, e);
        w.Write(e.Samples, NpgsqlDbType.Integer);
        w.Write(e.ErrorRate, NpgsqlDbType.Double);
        w.Write(e.MedianLatencyMs, NpgsqlDbType.Double);
        w.Write(e.P95LatencyMs, NpgsqlDbType.Double);
        w.Write(e.MeanTokensPerTask, NpgsqlDbType.Double);
        w.Write(e.MeanCostPerTaskUsd, NpgsqlDbType.Double);
        w.Write(e.TokensUsed, NpgsqlDbType.Bigint);
        w.Write(e.TotalCostUsd, NpgsqlDbType.Numeric);
        w.Write(e.Samples, NpgsqlDbType.Integer);
        w.Write(e.PerIterationJson, NpgsqlDbType.Jsonb);
        w.Write(e.ItemOutcomesJson, NpgsqlDbType.Jsonb);
        w.Write(e.ScoredAt, NpgsqlDbType.TimestampTz);
    }

    private const string ResultsCopy = """
        COPY regression.version_results (execution_id, run_id, agent_id, agent_name, agent_version, workspace_id, suite_id,
            benchmark_id, benchmark_name, status, samples, accuracy, median_latency_ms, mean_cost_per_task_usd, mean_tokens_per_task,
            error_rate, scored_at, received_at, per_iteration, item_outcomes)
        FROM STDIN (FORMAT BINARY)
        """;

    private static void WriteResult(NpgsqlBinaryImporter w, SyntheticExecution e)
    {
        w.StartRow();
        WriteIdentityColumns(w, e);
        w.Write(e.Benchmark.BenchmarkId, NpgsqlDbType.Uuid);
        w.Write(e.Benchmark.Name, NpgsqlDbType.Varchar);
        w.Write(e.Status == "failed" ? "failed" : "completed", NpgsqlDbType.Varchar);
        w.Write(e.Samples, NpgsqlDbType.Integer);
        w.Write(e.Accuracy, NpgsqlDbType.Double);
        w.Write(e.MedianLatencyMs, NpgsqlDbType.Double);
        w.Write(e.MeanCostPerTaskUsd, NpgsqlDbType.Double);
        w.Write(e.MeanTokensPerTask, NpgsqlDbType.Double);
        w.Write(e.ErrorRate, NpgsqlDbType.Double);
        w.Write(e.ScoredAt, NpgsqlDbType.TimestampTz);
        w.Write(e.ScoredAt, NpgsqlDbType.TimestampTz);
        w.Write(e.PerIterationJson, NpgsqlDbType.Jsonb);
        w.Write(e.ItemOutcomesJson, NpgsqlDbType.Jsonb);
    }

    /// <summary>
    /// The columns every table starts with, in this order: execution_id (Scoring's <c>id</c>), run_id, agent_id,
    /// agent_name, agent_version, workspace_id, suite_id.
    /// </summary>
    private static void WriteIdentityColumns(NpgsqlBinaryImporter w, SyntheticExecution e)
    {
        w.Write(e.ExecutionId, NpgsqlDbType.Uuid);
        w.Write(e.RunId, NpgsqlDbType.Uuid);
        w.Write(e.Agent.AgentId, NpgsqlDbType.Uuid);
        w.Write(e.Agent.Name, NpgsqlDbType.Varchar);
        w.Write(e.Version, NpgsqlDbType.Varchar);
        // Varchar and text share their binary form, so one write fits Scoring's text column and the others' varchar.
        w.Write(e.Agent.WorkspaceId, NpgsqlDbType.Varchar);
        w.Write(e.Benchmark.SuiteId, NpgsqlDbType.Uuid);
    }

    /// <summary>
    /// The six scores, in the order Scoring's and the leaderboard's tables hold them: accuracy_score, speed_score,
    /// efficiency_score, cost_score, reliability_score, overall_score (Regression keeps only the accuracy).
    /// </summary>
    private static void WriteScoreColumns(NpgsqlBinaryImporter w, SyntheticExecution e)
    {
        w.Write(e.Accuracy, NpgsqlDbType.Double);
        w.Write(e.Speed, NpgsqlDbType.Double);
        w.Write(e.Efficiency, NpgsqlDbType.Double);
        w.Write(e.Cost, NpgsqlDbType.Double);
        w.Write(e.Reliability, NpgsqlDbType.Double);
        w.Write(e.Overall, NpgsqlDbType.Double);
    }

    /// <summary>The raw samples of the newest executions: one per item and pass, with its verdict.</summary>
    private static async Task WriteSamplesAsync(NpgsqlConnection scoring, List<SyntheticExecution> executions, Random random, CancellationToken ct)
    {
        await using var w = await scoring.BeginBinaryImportAsync("""
            COPY scoring.execution_samples (execution_id, iteration, item_id, output, expected, duration_ms, ttft_ms, input_tokens,
                output_tokens, tokens_reported, cost_usd, score, correct, reason)
            FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var e in executions)
        {
            for (var pass = 0; pass < e.Iterations; pass++)
            {
                for (var item = 0; item < e.Benchmark.Items; item++)
                {
                    var correct = random.NextDouble() < e.Accuracy;
                    var latency = e.MedianLatencyMs * Math.Exp(0.3 * World.Normal(random));
                    w.StartRow();
                    w.Write(e.ExecutionId, NpgsqlDbType.Uuid);
                    w.Write(pass, NpgsqlDbType.Integer);
                    w.Write($"item-{item:000}", NpgsqlDbType.Varchar);
                    w.Write(correct ? "42" : "41", NpgsqlDbType.Text);
                    w.Write("42", NpgsqlDbType.Text);
                    w.Write(latency, NpgsqlDbType.Double);
                    w.Write(latency * 0.2, NpgsqlDbType.Double);
                    w.Write((long)(e.MeanTokensPerTask * 0.7), NpgsqlDbType.Bigint);
                    w.Write((long)(e.MeanTokensPerTask * 0.3), NpgsqlDbType.Bigint);
                    w.Write(true, NpgsqlDbType.Boolean);
                    w.Write((decimal)Math.Round(e.MeanCostPerTaskUsd, 8), NpgsqlDbType.Numeric);
                    w.Write(correct ? 1.0 : 0.0, NpgsqlDbType.Double);
                    w.Write(correct, NpgsqlDbType.Boolean);
                    w.Write(correct ? "exact match" : "expected 42", NpgsqlDbType.Text);
                }
            }
        }

        await w.CompleteAsync(ct);
    }

    /// <summary>A table's secondary indexes and its constraints, as SQL that recreates them.</summary>
    private sealed record Definitions(IReadOnlyList<string> PrimaryKeys, IReadOnlyList<string> Indexes, IReadOnlyList<string> ForeignKeys);

    /// <summary>
    /// Drops every index and constraint of the tables (foreign keys first) and returns the SQL that recreates them
    /// exactly as the migrations made them (pg_get_indexdef / pg_get_constraintdef).
    /// </summary>
    private static async Task<Definitions> DropIndexesAsync(NpgsqlConnection connection, string[] tables, CancellationToken ct)
    {
        var constraints = new List<(string Table, string Name, char Type, string Definition)>();
        var indexes = new List<(string Name, string Definition)>();
        await using (var command = new NpgsqlCommand("""
            SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE conrelid = ANY(@tables::regclass[]) AND contype IN ('p', 'f', 'u')
            """, connection))
        {
            command.Parameters.AddWithValue("tables", tables);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                constraints.Add((reader.GetString(0), reader.GetString(1), reader.GetChar(2), reader.GetString(3)));
            }
        }

        await using (var command = new NpgsqlCommand("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(@tables::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """, connection))
        {
            command.Parameters.AddWithValue("tables", tables);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var c in constraints.OrderBy(c => c.Type == 'f' ? 0 : 1))
        {
            await ExecuteAsync(connection, $"ALTER TABLE {c.Table} DROP CONSTRAINT \"{c.Name}\"", ct);
        }

        foreach (var (name, _) in indexes)
        {
            await ExecuteAsync(connection, $"DROP INDEX {name}", ct);
        }

        string Add((string Table, string Name, char Type, string Definition) c) => $"ALTER TABLE {c.Table} ADD CONSTRAINT \"{c.Name}\" {c.Definition}";
        return new Definitions(
            constraints.Where(c => c.Type != 'f').Select(Add).ToList(),
            indexes.Select(i => i.Definition).ToList(),
            constraints.Where(c => c.Type == 'f').Select(Add).ToList());
    }

    private static async Task RestoreAsync(NpgsqlConnection connection, Definitions definitions, CancellationToken ct)
    {
        // Index builds sort in memory up to this much (a session setting of this connection only).
        await ExecuteAsync(connection, "SET maintenance_work_mem = '512MB'", ct);
        foreach (var sql in definitions.PrimaryKeys.Concat(definitions.Indexes).Concat(definitions.ForeignKeys))
        {
            await ExecuteAsync(connection, sql, ct);
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        // Index rebuilds and view refreshes over millions of rows take minutes: no command timeout.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
