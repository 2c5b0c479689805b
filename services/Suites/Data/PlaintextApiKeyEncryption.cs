using BenchMesh.Credentials;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Suites.Data;

/// <summary>
/// At start, after the migrations and before the API and gRPC serve anything: encrypts the credentials stored in plain
/// text before encryption (<see cref="Agent.PlaintextApiKey"/>) and clears them. Idempotent: a row is encrypted and
/// cleared in one update, so a second start, or a second replica starting at once, finds nothing left to do (a row both
/// replicas read is encrypted twice, and either ciphertext is valid).
/// <para>
/// It also makes sure the key ring has a key: protecting creates the first one when the ring is empty (Data
/// Protection's own policy), so the services that only decrypt, which never create keys, find it.
/// </para>
/// </summary>
public sealed class PlaintextApiKeyEncryption(
    IServiceScopeFactory scopes, AgentCredentials credentials, ILogger<PlaintextApiKeyEncryption> logger) : IHostedService
{
    private const int BatchSize = 500;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = credentials.Protect("");

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SuitesDbContext>();
        var encrypted = 0;
        while (true)
        {
            var agents = await db.Agents
                .Where(a => a.PlaintextApiKey != null)
                .OrderBy(a => a.AgentId)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (agents.Count == 0)
            {
                break;
            }

            foreach (var agent in agents)
            {
                agent.ProtectedApiKey = agent.PlaintextApiKey == "" ? null : credentials.Protect(agent.PlaintextApiKey!);
                agent.PlaintextApiKey = null;
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            encrypted += agents.Count;
        }

        if (encrypted > 0)
        {
            logger.LogInformation("Encrypted the API keys of {Count} agents stored in plain text", encrypted);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
