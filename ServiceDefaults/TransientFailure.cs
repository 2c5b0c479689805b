namespace BenchMesh.ServiceDefaults;

/// <summary>
/// Marks an exception that says a dependency (another service, a server) did not answer and may answer later, such
/// as Suites being restarted. The bus retries such failures for minutes (BenchMesh.Messaging.TransientFailures).
/// </summary>
public interface ITransientFailure;
