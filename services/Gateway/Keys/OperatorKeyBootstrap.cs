using BenchMesh.Gateway.Data;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Gateway.Keys;

/// <summary>
/// First start: workspace <c>default</c> always exists, and so does an active operator key. With no active operator key,
/// the key in <c>Gateway:OperatorKeyFile</c> is imported when the file holds a well-formed one (a key kept across a
/// database reset, or one provisioned from a secret store); otherwise a new key is made and written there (mode 600),
/// and the log names the file, never the key. Runs after the migrations (registered after the database).
/// </summary>
internal sealed class OperatorKeyBootstrap(
    IServiceProvider services, IConfiguration configuration, TimeProvider clock, ILogger<OperatorKeyBootstrap> logger) : IHostedService
{
    public const string KeyFileSetting = "Gateway:OperatorKeyFile";

    /// <summary>Held in the bootstrap's transaction, so replicas starting together make one operator key, not one each.</summary>
    private const long AdvisoryLockId = 0x42_4D_47_57_4B_45_59; // "BMGWKEY"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var keyFile = configuration[KeyFileSetting] is { Length: > 0 } path ? Path.GetFullPath(path) : null;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var outcome = await db.InTransactionAsync(async ct =>
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockId})", ct);
            var now = clock.StorageNow();
            if (!await db.Workspaces.AnyAsync(w => w.Id == Workspace.DefaultId, ct))
            {
                db.Workspaces.Add(new Workspace { Id = Workspace.DefaultId, Name = "Default", CreatedAt = now });
            }

            if (await db.ApiKeys.AnyAsync(k => k.Role == CallerRole.Operator && k.RevokedAt == null, ct))
            {
                await db.SaveChangesAsync(ct);
                return Outcome.Present;
            }

            if (keyFile is null)
            {
                await db.SaveChangesAsync(ct);
                return Outcome.NoFile;
            }

            // A key from the file is imported unless its id is taken (a revoked key stays revoked).
            var existing = await ReadKeyFileAsync(keyFile, ct);
            if (existing is not null && !await db.ApiKeys.AnyAsync(k => k.Id == existing.Id, ct))
            {
                db.ApiKeys.Add(ApiKey.For(existing, Workspace.DefaultId, "operator", CallerRole.Operator, now));
                await db.SaveChangesAsync(ct);
                return Outcome.Imported;
            }

            var token = ApiKeyToken.Generate();
            db.ApiKeys.Add(ApiKey.For(token, Workspace.DefaultId, "operator", CallerRole.Operator, now));
            // Written before the commit: a key the database knows but nobody holds would lock the operator out.
            await WriteKeyFileAsync(keyFile, token, ct);
            await db.SaveChangesAsync(ct);
            return Outcome.Created;
        }, cancellationToken);

        switch (outcome)
        {
            case Outcome.Created:
                logger.LogInformation("Created the operator API key and wrote it to {KeyFile} (readable by this user only)", keyFile);
                break;
            case Outcome.Imported:
                logger.LogInformation("Imported the operator API key from {KeyFile}", keyFile);
                break;
            case Outcome.NoFile:
                logger.LogWarning("There is no active operator API key and {Setting} is not set: set it to a file path to have one made", KeyFileSetting);
                break;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<ApiKeyToken?> ReadKeyFileAsync(string keyFile, CancellationToken ct) =>
        File.Exists(keyFile) && ApiKeyToken.TryParse((await File.ReadAllTextAsync(keyFile, ct)).Trim(), out var token) ? token : null;

    /// <summary>Writes the key to a new file readable by this user only (0600; its directory 0700 when created), then moves it into place.</summary>
    private static async Task WriteKeyFileAsync(string keyFile, ApiKeyToken token, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(keyFile)!;
        var temporary = $"{keyFile}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new StreamWriter(temporary, options))
        {
            await file.WriteLineAsync(token.Key.AsMemory(), ct);
        }

        File.Move(temporary, keyFile, overwrite: true);
    }

    private enum Outcome
    {
        Present,
        NoFile,
        Imported,
        Created,
    }
}
