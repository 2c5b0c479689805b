using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace BenchMesh.Scoring.Data;

/// <summary>
/// Writes an execution's samples with PostgreSQL's binary COPY, on the context's connection and in its current
/// transaction. Why not <c>SaveChanges</c>: an execution has about a hundred samples of two dozen columns, and EF Core
/// tracked each one, built a hundred-row INSERT with some 2,500 parameters and bound every one of them; in a profile of
/// the scale benchmark's pipeline (docs/scale.md) that work and the garbage it left were most of Scoring's CPU per
/// execution. The execution row and its outbox message still go through EF Core.
/// </summary>
public static class ExecutionSampleCopy
{
    /// <summary>
    /// The columns written, in the order <see cref="WriteAsync"/> writes them: every column of
    /// <see cref="ExecutionSample"/> but its identity (<c>ExecutionSampleCopyTests</c> holds them to the EF model, so a new
    /// property cannot be left out of the copy).
    /// </summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "execution_id", "iteration", "item_id", "output", "expected", "duration_ms", "ttft_ms", "connect_ms", "request_write_ms",
        "input_tokens", "output_tokens", "cached_input_tokens", "tokens_reported", "cost_usd", "peak_memory_mb", "cpu_time_ms",
        "error_kind", "error", "http_status", "score", "correct", "reason", "judgement",
    ];

    private static readonly string Copy =
        $"COPY {ScoringDbContext.Schema}.execution_samples ({string.Join(", ", Columns)}) FROM STDIN (FORMAT BINARY)";

    /// <summary>Copies <paramref name="samples"/>; the caller's transaction makes them visible with the rest of its work.</summary>
    public static async Task WriteAsync(ScoringDbContext db, IEnumerable<ExecutionSample> samples, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var importer = await connection.BeginBinaryImportAsync(Copy, ct);
        foreach (var s in samples)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(s.ExecutionId, NpgsqlDbType.Uuid, ct);
            await importer.WriteAsync(s.Iteration, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(s.ItemId, NpgsqlDbType.Varchar, ct);
            await WriteAsync(importer, s.Output, NpgsqlDbType.Text, ct);
            await WriteAsync(importer, s.Expected, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(s.DurationMs, NpgsqlDbType.Double, ct);
            await WriteAsync(importer, s.TtftMs, NpgsqlDbType.Double, ct);
            await WriteAsync(importer, s.ConnectMs, NpgsqlDbType.Double, ct);
            await WriteAsync(importer, s.RequestWriteMs, NpgsqlDbType.Double, ct);
            await importer.WriteAsync(s.InputTokens, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(s.OutputTokens, NpgsqlDbType.Bigint, ct);
            await WriteAsync(importer, s.CachedInputTokens, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(s.TokensReported, NpgsqlDbType.Boolean, ct);
            await importer.WriteAsync(s.CostUsd, NpgsqlDbType.Numeric, ct);
            await WriteAsync(importer, s.PeakMemoryMb, NpgsqlDbType.Double, ct);
            await WriteAsync(importer, s.CpuTimeMs, NpgsqlDbType.Double, ct);
            await WriteAsync(importer, s.ErrorKind, NpgsqlDbType.Varchar, ct);
            await WriteAsync(importer, s.Error, NpgsqlDbType.Text, ct);
            await WriteAsync(importer, s.HttpStatus, NpgsqlDbType.Integer, ct);
            await WriteAsync(importer, s.Score, NpgsqlDbType.Double, ct);
            await WriteAsync(importer, s.Correct, NpgsqlDbType.Boolean, ct);
            await importer.WriteAsync(s.Reason, NpgsqlDbType.Text, ct);
            await WriteAsync(importer, s.Judgement, NpgsqlDbType.Jsonb, ct);
        }

        await importer.CompleteAsync(ct);
    }

    private static Task WriteAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, ct) : importer.WriteNullAsync(ct);

    private static Task WriteAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is not null ? importer.WriteAsync(value, type, ct) : importer.WriteNullAsync(ct);
}
