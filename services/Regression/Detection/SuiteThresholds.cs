using System.Collections.Concurrent;
using BenchMesh.Catalog;
using BenchMesh.Statistics.Engine;

namespace BenchMesh.Regression.Detection;

/// <summary>
/// The suites' overrides of the regression engine's practical thresholds (a suite's <c>regression_thresholds</c>),
/// read from the Suites catalog once per suite: suites cannot be changed after they are created, so what was read
/// stays true. When the catalog cannot be reached the caller fails (a consumer's message is retried) rather than
/// judging with thresholds the suite did not ask for — an event raised on the wrong threshold cannot be taken back.
/// </summary>
public sealed class SuiteThresholds(IServiceScopeFactory scopes)
{
    private static readonly IReadOnlyDictionary<string, double> None = new Dictionary<string, double>();
    private readonly ConcurrentDictionary<Guid, IReadOnlyDictionary<string, double>> _known = new();

    /// <summary>The overrides of each suite (empty for a suite without any, or one the catalog does not know).</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, double>>> OfAsync(IEnumerable<Guid> suiteIds, CancellationToken ct)
    {
        var result = new Dictionary<Guid, IReadOnlyDictionary<string, double>>();
        var missing = new List<Guid>();
        foreach (var suiteId in suiteIds.Distinct())
        {
            if (_known.TryGetValue(suiteId, out var thresholds))
            {
                result[suiteId] = thresholds;
            }
            else
            {
                missing.Add(suiteId);
            }
        }

        if (missing.Count > 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            var catalog = scope.ServiceProvider.GetRequiredService<ISuiteCatalog>();
            foreach (var suiteId in missing)
            {
                var thresholds = await catalog.GetRegressionThresholdsAsync(suiteId, ct);
                // Only what the registry knows: Suites validates the names, but a newer Suites could know more metrics.
                result[suiteId] = _known[suiteId] = thresholds is null
                    ? None
                    : thresholds.Where(t => MetricRegistry.Default.TryGet(t.Key, out var m) && MetricRegistry.IsValidThreshold(m.Scale, t.Value))
                        .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            }
        }

        return result;
    }
}
