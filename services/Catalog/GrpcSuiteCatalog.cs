using System.Globalization;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Grpc.Suites;
using BenchMesh.Contracts.Runs;
using Grpc.Core;

namespace BenchMesh.Catalog;

/// <summary><see cref="ISuiteCatalog"/> over the Suites service's gRPC <c>SuiteCatalog</c>.</summary>
public sealed class GrpcSuiteCatalog(SuiteCatalog.SuiteCatalogClient client) : ISuiteCatalog
{
    /// <summary>
    /// Every read is a lookup by id: one that takes longer means Suites is in trouble, and the caller's
    /// request should say so (503) rather than hang.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public Task<CatalogAgent?> GetAgentAsync(Guid agentId, CancellationToken ct) =>
        CallAsync(
            async options => ToAgent(await client.GetAgentAsync(new GetAgentRequest { AgentId = agentId.ToString() }, options)),
            ct);

    public Task<CatalogAgentVersion?> GetAgentVersionAsync(Guid agentId, string? version, CancellationToken ct) =>
        CallAsync(
            async options => ToAgentVersion(await client.GetAgentVersionAsync(
                new GetAgentVersionRequest { AgentId = agentId.ToString(), Version = version ?? "" }, options)),
            ct);

    public Task<CatalogSuite?> GetSuiteAsync(Guid suiteId, CancellationToken ct) =>
        CallAsync(async options => ToSuite(await client.GetSuiteAsync(new GetSuiteRequest { SuiteId = suiteId.ToString() }, options)), ct);

    public async Task<IReadOnlyList<CatalogAgent>> ListAgentsAsync(CancellationToken ct) =>
        (await CallAsync(async options => await client.ListAgentsAsync(new ListAgentsRequest(), options), ct))?
            .Agents.Select(ToAgent).ToList() ?? [];

    /// <summary>Asks for the suite without its dataset items: only its settings are needed.</summary>
    public async Task<IReadOnlyDictionary<string, double>?> GetRegressionThresholdsAsync(Guid suiteId, CancellationToken ct) =>
        (await CallAsync(async options => ToSuite(await client.GetSuiteAsync(new GetSuiteRequest { SuiteId = suiteId.ToString(), OmitItems = true }, options)), ct))
            ?.RegressionThresholds;

    /// <summary>NOT_FOUND is an answer (null); any other failure, except the caller giving up, means the catalog is unavailable.</summary>
    private static async Task<T?> CallAsync<T>(Func<CallOptions, Task<T>> call, CancellationToken ct) where T : class
    {
        try
        {
            return await call(new CallOptions(deadline: DateTime.UtcNow.Add(CallTimeout), cancellationToken: ct));
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
        catch (RpcException e) when (!(e.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested))
        {
            throw new SuiteCatalogUnavailableException($"The suite catalog could not be read ({e.StatusCode}): {e.Status.Detail}", e);
        }
    }

    public static CatalogAgent ToAgent(AgentMessage m) =>
        new(Guid.Parse(m.AgentId, CultureInfo.InvariantCulture), m.AgentName, m.WorkspaceId, m.Protocol, [.. m.Versions]) { IsPublic = m.IsPublic };

    public static CatalogAgentVersion ToAgentVersion(AgentVersionMessage m) => new(
        new AgentSnapshot
        {
            AgentId = Guid.Parse(m.AgentId, CultureInfo.InvariantCulture),
            AgentName = m.AgentName,
            Version = m.Version,
            Protocol = m.Protocol,
            Endpoint = m.Endpoint,
            Pricing = new Pricing(Price(m.InputPerMillionUsd), Price(m.OutputPerMillionUsd), Price(m.PerCallUsd)),
            ModelConfigurationJson = string.IsNullOrWhiteSpace(m.ModelConfigurationJson) ? "{}" : m.ModelConfigurationJson,
            HasApiKey = !string.IsNullOrEmpty(m.ProtectedApiKey),
            WorkspaceId = string.IsNullOrEmpty(m.WorkspaceId) ? null : m.WorkspaceId,
        },
        string.IsNullOrEmpty(m.ProtectedApiKey) ? null : m.ProtectedApiKey)
    {
        IsPublic = m.IsPublic,
    };

    public static CatalogSuite ToSuite(SuiteMessage m) => new(
        Guid.Parse(m.SuiteId, CultureInfo.InvariantCulture),
        m.Name,
        m.Category,
        m.Benchmarks.Select(b => new BenchmarkDefinition
        {
            BenchmarkId = Guid.Parse(b.BenchmarkId, CultureInfo.InvariantCulture),
            Name = b.Name,
            Category = b.Category,
            RubricJson = string.IsNullOrWhiteSpace(b.RubricJson) ? """{"type":"exact_match"}""" : b.RubricJson,
            Constraints = ToConstraints(b.Constraints),
            Items = b.Items.Select(i => new DatasetItem
            {
                Id = i.Id,
                Input = i.Input,
                Expected = i.HasExpected ? i.Expected : null,
                RubricJson = string.IsNullOrWhiteSpace(i.RubricJson) ? null : i.RubricJson,
                AcceptedOutputs = i.AcceptedOutputs.Count == 0 ? null : [.. i.AcceptedOutputs],
                MessagesJson = string.IsNullOrEmpty(i.MessagesJson) ? null : i.MessagesJson,
            }).ToList(),
            TestType = string.IsNullOrEmpty(b.TestType) ? null : b.TestType,
            MetricsMeasured = [.. b.MetricsMeasured],
            Baselines = Baselines(b, m.BaselineScores),
        }).ToList())
    {
        RegressionThresholds = new Dictionary<string, double>(m.RegressionThresholds, StringComparer.Ordinal),
        WorkspaceId = string.IsNullOrEmpty(m.WorkspaceId) ? null : m.WorkspaceId,
        IsPublic = m.IsPublic,
    };

    /// <summary>The benchmark's own baseline first (no agent), then the suite's per agent.</summary>
    private static List<BaselineScores> Baselines(BenchmarkMessage benchmark, IEnumerable<AgentBaselineMessage> suite)
    {
        var baselines = new List<BaselineScores>();
        if (benchmark.BaselineScores.Count > 0)
        {
            baselines.Add(new BaselineScores { Scores = new Dictionary<string, double>(benchmark.BaselineScores, StringComparer.Ordinal) });
        }

        baselines.AddRange(suite.Select(b => new BaselineScores
        {
            AgentId = b.AgentId,
            Scores = new Dictionary<string, double>(b.Scores, StringComparer.Ordinal),
        }));
        return baselines;
    }

    private static BenchmarkConstraints ToConstraints(ConstraintsMessage? c)
    {
        var defaults = new BenchmarkConstraints();
        if (c is null)
        {
            return defaults;
        }

        // Zero in proto3 means "not set": keep the contract's defaults then.
        return new BenchmarkConstraints
        {
            TimeoutSeconds = c.TimeoutSeconds > 0 ? c.TimeoutSeconds : defaults.TimeoutSeconds,
            TargetLatencyMs = c.TargetLatencyMs > 0 ? c.TargetLatencyMs : defaults.TargetLatencyMs,
            TargetTokens = c.TargetTokens > 0 ? c.TargetTokens : defaults.TargetTokens,
            TargetCostUsd = c.TargetCostUsd > 0 ? c.TargetCostUsd : defaults.TargetCostUsd,
            MaxTokens = c.MaxTokens > 0 ? c.MaxTokens : null,
            TimeLimitMs = c.HasTimeLimitMs ? c.TimeLimitMs : null,
            TotalTimeLimitMs = c.HasTotalTimeLimitMs ? c.TotalTimeLimitMs : null,
            MemoryLimitMb = c.HasMemoryLimitMb ? c.MemoryLimitMb : null,
            TokenLimit = c.HasTokenLimit ? c.TokenLimit : null,
            CostLimitUsd = c.HasCostLimitUsd ? Price(c.CostLimitUsd) : null,
        };
    }

    private static decimal Price(string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : 0m;
}
