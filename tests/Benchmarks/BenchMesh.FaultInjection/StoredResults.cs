using Npgsql;

namespace BenchMesh.FaultInjection;

/// <summary>Reads what Scoring stored for a run in the private database (schema <c>scoring</c>, docs/scoring.md).</summary>
public sealed class StoredResults(string postgresServer)
{
    // Scoring's default database name (services/Scoring/Extensions): the fleet gives it no other.
    private readonly string _connection = $"{postgresServer};Database=benchmesh_scoring";

    public async Task<(IReadOnlyList<Guid> ExecutionBenchmarkIds, IReadOnlyList<StoredSample> Samples)> ReadAsync(Guid runId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync(ct);
        var executions = new List<Guid>();
        await using (var command = new NpgsqlCommand("SELECT benchmark_id FROM scoring.benchmark_executions WHERE run_id = @run", connection))
        {
            command.Parameters.AddWithValue("run", runId);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                executions.Add(reader.GetGuid(0));
            }
        }

        var samples = new List<StoredSample>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT e.benchmark_id, s.iteration, s.item_id, s.error_kind IS NULL
            FROM scoring.execution_samples s JOIN scoring.benchmark_executions e ON e.id = s.execution_id
            WHERE e.run_id = @run
            """, connection))
        {
            command.Parameters.AddWithValue("run", runId);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                samples.Add(new StoredSample(reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2), reader.GetBoolean(3)));
            }
        }

        return (executions, samples);
    }
}
