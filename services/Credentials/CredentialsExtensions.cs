using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Credentials;

/// <summary>What a service does with the key ring.</summary>
public enum KeyRingAccess
{
    /// <summary>Encrypts credentials, and so creates the first key and the next ones before the current one expires (Suites).</summary>
    ManagesKeys,

    /// <summary>Only decrypts: never creates a key, so that every key comes from the one service that encrypts (Runner, Stress).</summary>
    ReadsKeys,
}

public static class CredentialsExtensions
{
    /// <summary>
    /// The application name of every BenchMesh key ring user. Data Protection isolates payloads by application name
    /// (by default the content root path, which differs between services): one fixed name lets a credential encrypted
    /// by Suites be decrypted by the Runner and Stress.
    /// </summary>
    public const string ApplicationName = "BenchMesh";

    /// <summary>
    /// Registers <see cref="AgentCredentials"/> over ASP.NET Core Data Protection with its key ring in PostgreSQL,
    /// <c>ConnectionStrings:keysdb</c> (schema <c>keys</c>, migrated at start).
    /// <para>
    /// The key ring lives in a database of its own rather than in Suites' database: the services that decrypt need to
    /// reach the keys but have no business in Suites' tables, and the ciphertext (in Suites' database) and the keys are
    /// then two separate things to steal. The keys themselves are stored unencrypted (no certificate or KMS is set
    /// up here): whoever can read both databases can read the credentials (docs/security.md).
    /// </para>
    /// <para>
    /// Rotation is Data Protection's own: a key is used for 90 days; the service that manages keys creates the next one
    /// two days before, activated in the future, and the readers, which reload the ring at least daily, know it before
    /// it is used. Old keys stay in the ring, so older ciphertext stays readable.
    /// </para>
    /// </summary>
    public static IHostApplicationBuilder AddAgentCredentials(this IHostApplicationBuilder builder, KeyRingAccess access)
    {
        builder.AddBenchMeshDbContext<KeyRingDbContext>(ResourceNames.KeysDb, "benchmesh_keys");
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<KeyRingDbContext>();
        if (access == KeyRingAccess.ReadsKeys)
        {
            dataProtection.DisableAutomaticKeyGeneration();
        }

        builder.Services.AddSingleton<AgentCredentials>();
        return builder;
    }
}
