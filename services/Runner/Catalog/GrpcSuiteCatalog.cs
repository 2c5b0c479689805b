using System.Globalization;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Grpc.Suites;
using BenchMesh.Contracts.Runs;
using Grpc.Core;

namespace BenchMesh.Runner.Catalog;

/// <summary><see cref="ISuiteCatalog"/> over the Suites service's gRPC <c>SuiteCatalog</c>.</summary>
public sealed class GrpcSuiteCatalog(SuiteCatalog.SuiteCatalogClient client) : ISuiteCatalog
{
    public async Task<CatalogAgentVersion?> GetAgentVersionAsync(Guid agentId, string? version, CancellationToken ct)
    {
        AgentVersionMessage message;
        try
        {
            message = await client.GetAgentVersionAsync(
                new GetAgentVersionRequest { AgentId = agentId.ToString(), Version = version ?? "" }, cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw new SuiteCatalogUnavailableException($"The suite catalog could not be read: {e.Status.Detail}", e);
        }

        return ToAgentVersion(message);
    }

    public async Task<CatalogSuite?> GetSuiteAsync(Guid suiteId, CancellationToken ct)
    {
        SuiteMessage message;
        try
        {
            message = await client.GetSuiteAsync(new GetSuiteRequest { SuiteId = suiteId.ToString() }, cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw new SuiteCatalogUnavailableException($"The suite catalog could not be read: {e.Status.Detail}", e);
        }

        return ToSuite(message);
    }

    public static CatalogAgentVersion ToAgentVersion(AgentVersionMessage m) => new(
        new AgentSnapshot
        {
            AgentId = Guid.Parse(m.AgentId),
            AgentName = m.AgentName,
            Version = m.Version,
            Protocol = m.Protocol,
            Endpoint = m.Endpoint,
            Pricing = new Pricing(Price(m.InputPerMillionUsd), Price(m.OutputPerMillionUsd), Price(m.PerCallUsd)),
            ModelConfigurationJson = string.IsNullOrWhiteSpace(m.ModelConfigurationJson) ? "{}" : m.ModelConfigurationJson,
            HasApiKey = !string.IsNullOrEmpty(m.ApiKey),
        },
        string.IsNullOrEmpty(m.ApiKey) ? null : m.ApiKey);

    public static CatalogSuite ToSuite(SuiteMessage m) => new(
        Guid.Parse(m.SuiteId),
        m.Name,
        m.Category,
        m.Benchmarks.Select(b => new BenchmarkDefinition
        {
            BenchmarkId = Guid.Parse(b.BenchmarkId),
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
            }).ToList(),
        }).ToList());

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
        };
    }

    private static decimal Price(string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : 0m;
}
