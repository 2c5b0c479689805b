using BenchMesh.Gateway.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Npgsql;

namespace BenchMesh.Gateway.Keys;

/// <summary>An active key as authentication needs it: its caller and the hash its presented secret must match.</summary>
public sealed record ActiveApiKey(string Id, string WorkspaceId, CallerRole Role, byte[] SecretHash);

/// <summary>
/// The read behind an authenticated request whose key is not in <see cref="ApiKeyCache"/>: the presented key's row by
/// its id, unless revoked. It bypasses EF Core (which the admin API uses for the same table): one statement on a pooled connection, prepared
/// once per physical connection (<c>Max Auto Prepare</c>), so PostgreSQL neither parses nor plans it again, and no
/// DbContext, LINQ translation, change tracking or command log line per request (measured: docs/gateway.md).
/// </summary>
public sealed class ApiKeyLookup : IAsyncDisposable
{
    /// <summary>The columns of <see cref="GatewayDbContext"/>'s <c>api_keys</c> (snake_case names of <see cref="ApiKey"/>).</summary>
    private const string Sql =
        $"SELECT workspace_id, role, secret_hash FROM {GatewayDbContext.Schema}.api_keys WHERE id = $1 AND revoked_at IS NULL";

    /// <summary>A dropped pooled connection (PostgreSQL restarted) fails once; the next attempt takes a new one.</summary>
    private const int Attempts = 3;

    private readonly NpgsqlDataSource _dataSource;

    public ApiKeyLookup(IConfiguration configuration, ILoggerFactory loggers)
    {
        var connectionString = configuration.GetPostgresConnectionString(ResourceNames.GatewayDb, GatewayDbContext.DefaultDatabase);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Auto-preparation is per data source: it prepares statements used more than a few times, which here is one.
        builder.ConnectionStringBuilder.MaxAutoPrepare = 4;
        builder.UseLoggerFactory(loggers);
        _dataSource = builder.Build();
    }

    /// <summary>The key with id <paramref name="id"/> if it exists and is not revoked, else null.</summary>
    public async Task<ActiveApiKey?> FindActiveAsync(string id, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = _dataSource.CreateCommand(Sql);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
                await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, ct);
                return await reader.ReadAsync(ct)
                    ? new ActiveApiKey(id, reader.GetString(0), Enum.Parse<CallerRole>(reader.GetString(1), ignoreCase: true), reader.GetFieldValue<byte[]>(2))
                    : null;
            }
            catch (NpgsqlException e) when (e.IsTransient && attempt < Attempts && !ct.IsCancellationRequested)
            {
                // Retried at once: a broken pooled connection is replaced by a fresh one on the next attempt.
            }
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
