using System.Globalization;
using BenchMesh.Contracts.Grpc.Suites;
using BenchMesh.Suites.Data;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Suites.Grpc;

/// <summary>
/// The internal catalog the Runner and Stress read when a run starts (contracts/Protos/suites.proto).
/// Unlike the REST API it carries the agent's credential, still encrypted (only the service that calls the agent
/// decrypts it): only BenchMesh's own services reach it (with the internal token, <see cref="InternalTokenInterceptor"/>),
/// and only for a version whose endpoint is on the origin the credential was registered with.
/// </summary>
public sealed class SuiteCatalogService(SuitesDbContext db, ILogger<SuiteCatalogService> logger) : SuiteCatalog.SuiteCatalogBase
{
    public override async Task<SuiteMessage> GetSuite(GetSuiteRequest request, ServerCallContext context)
    {
        var suite = await (request.OmitItems
                ? db.FindSuiteWithoutItemsAsync(request.SuiteId, context.CancellationToken)
                : db.FindSuiteAsync(request.SuiteId, context.CancellationToken))
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"There is no suite '{request.SuiteId}'."));

        var message = new SuiteMessage
        {
            SuiteId = suite.SuiteId.ToString(),
            Name = suite.Name,
            Category = suite.Category,
            WorkspaceId = suite.WorkspaceId,
            IsPublic = suite.IsPublic,
        };
        message.RegressionThresholds.Add(suite.RegressionThresholdMap().ToDictionary());
        foreach (var baseline in suite.Baselines())
        {
            message.BaselineScores.Add(new AgentBaselineMessage { AgentId = baseline.AgentId.ToString(), Scores = { baseline.Scores.ToDictionary() } });
        }

        foreach (var benchmark in suite.Benchmarks.OrderBy(b => b.Ordinal))
        {
            var benchmarkMessage = new BenchmarkMessage
            {
                BenchmarkId = benchmark.BenchmarkId.ToString(),
                Name = benchmark.Name,
                Category = benchmark.Category,
                RubricJson = benchmark.ScoringRubric,
                Constraints = Constraints(benchmark),
                TestType = benchmark.TestType ?? "",
                MetricsMeasured = { benchmark.MetricsMeasured },
                BaselineScores = { benchmark.BaselineScoreMap().ToDictionary() },
            };
            foreach (var item in benchmark.Items.OrderBy(i => i.Ordinal))
            {
                var itemMessage = new DatasetItemMessage
                {
                    Id = item.ItemId,
                    Input = item.Input,
                    RubricJson = item.ScoringRubric ?? "",
                    AcceptedOutputs = { item.AcceptedOutputs ?? [] },
                    MessagesJson = item.MessagesJson ?? "",
                };
                if (item.Expected is not null)
                {
                    itemMessage.Expected = item.Expected;
                }

                benchmarkMessage.Items.Add(itemMessage);
            }

            message.Benchmarks.Add(benchmarkMessage);
        }

        return message;
    }

    private static ConstraintsMessage Constraints(Benchmark benchmark)
    {
        var message = new ConstraintsMessage
        {
            TimeoutSeconds = benchmark.TimeoutSeconds,
            TargetLatencyMs = benchmark.TargetLatencyMs,
            TargetTokens = benchmark.TargetTokens,
            TargetCostUsd = benchmark.TargetCostUsd,
            MaxTokens = benchmark.MaxTokens ?? 0,
        };

        // proto3 optional fields: set only what the suite set, so that "no limit" stays absent.
        if (benchmark.TimeLimitMs is { } timeLimitMs)
        {
            message.TimeLimitMs = timeLimitMs;
        }

        if (benchmark.TotalTimeLimitMs is { } totalTimeLimitMs)
        {
            message.TotalTimeLimitMs = totalTimeLimitMs;
        }

        if (benchmark.MemoryLimitMb is { } memoryLimitMb)
        {
            message.MemoryLimitMb = memoryLimitMb;
        }

        if (benchmark.TokenLimit is { } tokenLimit)
        {
            message.TokenLimit = tokenLimit;
        }

        if (benchmark.CostLimitUsd is { } costLimitUsd)
        {
            message.CostLimitUsd = costLimitUsd.ToString(CultureInfo.InvariantCulture);
        }

        return message;
    }

    public override async Task<AgentVersionMessage> GetAgentVersion(GetAgentVersionRequest request, ServerCallContext context)
    {
        var agent = await db.FindAgentAsync(request.AgentId, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"There is no agent '{request.AgentId}'."));
        var version = (string.IsNullOrEmpty(request.Version) ? agent.LatestVersion() : agent.FindVersion(request.Version))
            ?? throw new RpcException(new Status(StatusCode.NotFound, string.IsNullOrEmpty(request.Version)
                ? $"Agent '{agent.AgentId}' has no versions."
                : $"Agent '{agent.AgentId}' has no version '{request.Version}'."));

        var pricing = agent.EffectivePricing(version);
        var protectedApiKey = agent.ProtectedApiKeyFor(version);
        if (protectedApiKey is null && !string.IsNullOrEmpty(agent.ProtectedApiKey))
        {
            // Defence in depth: the API refuses such versions, but a row written before that rule (or around the API)
            // must still not make a worker send the key to another server. The call goes out without credentials.
            logger.LogWarning(
                "Withholding the API key of agent {AgentId} from version {Version}: its endpoint is not on the origin of the agent's endpoint",
                agent.AgentId, version.Version);
        }

        return new AgentVersionMessage
        {
            AgentId = agent.AgentId.ToString(),
            AgentName = agent.Name,
            Version = version.Version,
            Protocol = agent.Protocol,
            Endpoint = agent.EffectiveEndpoint(version),
            InputPerMillionUsd = pricing.InputPerMillionUsd.ToString(CultureInfo.InvariantCulture),
            OutputPerMillionUsd = pricing.OutputPerMillionUsd.ToString(CultureInfo.InvariantCulture),
            PerCallUsd = pricing.PerCallUsd.ToString(CultureInfo.InvariantCulture),
            ModelConfigurationJson = version.ModelConfiguration,
            ProtectedApiKey = protectedApiKey ?? "",
            WorkspaceId = agent.WorkspaceId,
            IsPublic = agent.IsPublic,
        };
    }

    public override async Task<AgentMessage> GetAgent(GetAgentRequest request, ServerCallContext context)
    {
        var agent = await db.FindAgentAsync(request.AgentId, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"There is no agent '{request.AgentId}'."));
        return ToMessage(agent);
    }

    /// <summary>Every agent, for the Runner's coverage report: a registry of agents is small enough for one answer.</summary>
    public override async Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
    {
        var agents = await db.Agents.AsNoTracking().Include(a => a.Versions)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.AgentId)
            .ToListAsync(context.CancellationToken);
        return new ListAgentsResponse { Agents = { agents.Select(ToMessage) } };
    }

    private static AgentMessage ToMessage(Agent agent)
    {
        var message = new AgentMessage
        {
            AgentId = agent.AgentId.ToString(),
            AgentName = agent.Name,
            WorkspaceId = agent.WorkspaceId,
            Protocol = agent.Protocol,
            IsPublic = agent.IsPublic,
        };
        message.Versions.Add(agent.Versions.OrderBy(v => v.CreatedAt).ThenBy(v => v.Ordinal).Select(v => v.Version));
        return message;
    }
}
