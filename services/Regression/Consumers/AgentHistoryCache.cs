using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.Statistics.Engine;
using Microsoft.Extensions.Options;

namespace BenchMesh.Regression.Consumers;

/// <summary>
/// What a judgement of an agent leaves for the next one in this process (docs/regression.md, "Cost of a judgement"): the
/// agent's stored rows without their JSON, each benchmark × version's pooled runs, and the engine's checkpoint (its state
/// after every version but the newest). The next judgement reads only the rows stored since
/// (<see cref="VersionResult.Sequence"/> above <see cref="HighWater"/>, whichever replica stored them), parses only their
/// JSON, and the engine judges only from the checkpoint on when the versions before the newest are unchanged
/// (<see cref="RegressionEngine.AnalyzeResumable"/> checks that value by value). Immutable: a judgement builds the next
/// entry and stores it just before its transaction commits, so that a judgement of the agent waiting for the lock finds
/// it; should that commit fail, the entry counts a row the database does not have, and the next judgement reads the
/// whole history.
/// </summary>
/// <param name="Rows">Every row of the agent (confirmation runs included), JSON left out, in no particular order.</param>
/// <param name="HighWater">The highest <see cref="VersionResult.Sequence"/> among <paramref name="Rows"/>.</param>
/// <param name="Cells">Each benchmark × version's runs, pooled from the executions listed (oldest first).</param>
/// <param name="Checkpoint">The engine's state after all versions but the newest, from the last judgement; null: none.</param>
public sealed record AgentHistory(
    Guid AgentId,
    IReadOnlyList<VersionResult> Rows,
    long HighWater,
    IReadOnlyDictionary<(Guid BenchmarkId, string Version), PooledCell> Cells,
    EngineCheckpoint? Checkpoint);

/// <summary>One benchmark × version's runs and the executions (oldest first) they were pooled from.</summary>
public sealed record PooledCell(IReadOnlyList<Guid> ExecutionIds, VersionRuns Runs);

/// <summary>
/// The <see cref="AgentHistory"/> of the agents judged last, bounded by the rows held
/// (<see cref="RegressionOptions.HistoryCacheExecutions"/>; least recently judged agents go first). One per process.
/// </summary>
public sealed class AgentHistoryCache(IOptions<RegressionOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (AgentHistory History, long Used)> _entries = [];
    private long _clock;
    private long _rows;

    private long _reused;

    public int Limit => options.Value.HistoryCacheExecutions;

    /// <summary>Judgements that read only the rows stored since an entry's (the entry matched the database).</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>Counts a judgement that reused an entry.</summary>
    public void CountReuse() => Interlocked.Increment(ref _reused);

    /// <summary>The agent's entry, or null; it still has to be checked against the database (the consumer does).</summary>
    public AgentHistory? Get(Guid agentId)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(agentId, out var entry))
            {
                return null;
            }

            _entries[agentId] = (entry.History, ++_clock);
            return entry.History;
        }
    }

    /// <summary>Keeps <paramref name="history"/> unless a newer entry of the agent is held already, then evicts down to the limit.</summary>
    public void Put(AgentHistory history)
    {
        if (history.Rows.Count > Limit)
        {
            Remove(history.AgentId);
            return;
        }

        lock (_gate)
        {
            if (_entries.TryGetValue(history.AgentId, out var held))
            {
                if (held.History.HighWater > history.HighWater)
                {
                    return; // another judgement of this process committed later rows and stored them first
                }

                _rows -= held.History.Rows.Count;
            }

            _entries[history.AgentId] = (history, ++_clock);
            _rows += history.Rows.Count;
            while (_rows > Limit && _entries.Count > 1)
            {
                var oldest = _entries.MinBy(e => e.Value.Used);
                _entries.Remove(oldest.Key);
                _rows -= oldest.Value.History.Rows.Count;
            }
        }
    }

    public void Remove(Guid agentId)
    {
        lock (_gate)
        {
            if (_entries.Remove(agentId, out var held))
            {
                _rows -= held.History.Rows.Count;
            }
        }
    }

    /// <summary>A row as the cache keeps it: everything but its JSON (parsed into the pooled cells already).</summary>
    public static VersionResult WithoutJson(VersionResult row) => new()
    {
        ExecutionId = row.ExecutionId,
        RunId = row.RunId,
        AgentId = row.AgentId,
        AgentName = row.AgentName,
        AgentVersion = row.AgentVersion,
        WorkspaceId = row.WorkspaceId,
        SuiteId = row.SuiteId,
        BenchmarkId = row.BenchmarkId,
        BenchmarkName = row.BenchmarkName,
        Status = row.Status,
        Samples = row.Samples,
        Accuracy = row.Accuracy,
        MedianLatencyMs = row.MedianLatencyMs,
        MeanCostPerTaskUsd = row.MeanCostPerTaskUsd,
        MeanTokensPerTask = row.MeanTokensPerTask,
        ErrorRate = row.ErrorRate,
        ScoredAt = row.ScoredAt,
        ReceivedAt = row.ReceivedAt,
        Sequence = row.Sequence,
        PerIterationJson = NoJson,
        ItemOutcomesJson = NoJson,
    };

    /// <summary>The JSON of a row kept without it: never parsed (<see cref="CellPooler"/> refuses it).</summary>
    public const string NoJson = "(not kept)";
}

/// <summary>
/// Pools a benchmark × version's executions for <see cref="RegressionJudge.Judge"/>, reusing the cached pooled runs when
/// the executions are the same, adding the new ones when they come after the cached ones, and otherwise pooling from the
/// rows' JSON — which rows kept by the cache do not have: then <see cref="HistoryCacheMissException"/>, and the
/// consumer reads the whole history. Records every cell it pooled for the next entry.
/// </summary>
public sealed class CellPooler(IReadOnlyDictionary<(Guid BenchmarkId, string Version), PooledCell>? cached)
{
    public Dictionary<(Guid BenchmarkId, string Version), PooledCell> Cells { get; } = [];

    /// <summary>Cells pooled from their rows' JSON, whole or in part (for the Debug breakdown).</summary>
    public int Parsed { get; private set; }

    public VersionRuns Pool(List<VersionResult> executions)
    {
        var key = (executions[0].BenchmarkId, executions[0].AgentVersion);
        var ids = executions.Select(e => e.ExecutionId).ToList();
        VersionRuns runs;
        if (cached?.GetValueOrDefault(key) is { } cell && cell.ExecutionIds.Count <= ids.Count && cell.ExecutionIds.SequenceEqual(ids.Take(cell.ExecutionIds.Count)))
        {
            var added = executions.Skip(cell.ExecutionIds.Count).ToList();
            if (added.Count > 0)
            {
                Parsed++;
                Require(added);
            }

            runs = added.Count == 0 ? cell.Runs : RegressionJudge.Extend(cell.Runs, added);
        }
        else
        {
            Parsed++;
            Require(executions);
            runs = RegressionJudge.Pool(executions);
        }

        Cells[key] = new PooledCell(ids, runs);
        return runs;
    }

    private static void Require(List<VersionResult> executions)
    {
        if (executions.Any(e => e.PerIterationJson == AgentHistoryCache.NoJson || e.ItemOutcomesJson == AgentHistoryCache.NoJson))
        {
            throw new HistoryCacheMissException($"the executions of {executions[0].AgentVersion} on benchmark {executions[0].BenchmarkId} changed before the newest one cached");
        }
    }
}

/// <summary>The cached history cannot give this judgement's runs (an execution sorts before ones already pooled): read it whole.</summary>
public sealed class HistoryCacheMissException(string message) : Exception(message);
