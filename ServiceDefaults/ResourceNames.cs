namespace BenchMesh.ServiceDefaults;

/// <summary>
/// The names resources go by in the app host, in connection strings (<c>ConnectionStrings__{name}</c>)
/// and in service discovery (<c>services__{name}__http__0</c>). One place, shared by the app host,
/// the services and the tests.
/// </summary>
public static class ResourceNames
{
    public const string Postgres = "postgres";
    public const string RabbitMq = "rabbitmq";
    public const string Redis = "redis";

    public const string SuitesDb = "suitesdb";
    public const string RunnerDb = "runnerdb";
    public const string ScoringDb = "scoringdb";
    public const string LeaderboardDb = "leaderboarddb";
    public const string RegressionDb = "regressiondb";
    public const string StressDb = "stressdb";
    public const string GatewayDb = "gatewaydb";

    /// <summary>The Data Protection key ring that encrypts agent credentials: Suites, the Runner and Stress share it.</summary>
    public const string KeysDb = "keysdb";

    public const string Gateway = "gateway";
    public const string Suites = "suites";
    public const string Runner = "runner";
    public const string Scoring = "scoring";
    public const string Leaderboard = "leaderboard";
    public const string Regression = "regression";
    public const string Stress = "stress";
    public const string SampleAgents = "sample-agents";

    /// <summary>The name of the Http2-only endpoint a service serves gRPC on.</summary>
    public const string GrpcEndpoint = "grpc";
}
