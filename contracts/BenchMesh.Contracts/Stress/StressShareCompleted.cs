using System.Text.Json;

namespace BenchMesh.Contracts.Stress;

/// <summary>
/// Event: one share of a distributed stress run has ended on a worker, with its partial result. Whichever Stress
/// instance consumes it stores it with the run's shares and, once every share is in, merges them (counts add up,
/// percentiles come from the merged histograms) and ends the run with <see cref="StressTestCompleted"/>. A failed share
/// (<see cref="Status"/> <c>failed</c>, with <see cref="Error"/>) fails the run.
/// </summary>
public sealed record StressShareCompleted
{
    public int SchemaVersion { get; init; } = 1;
    public required Guid StressRunId { get; init; }

    /// <summary>Which share, from 1 to <see cref="ShareCount"/>.</summary>
    public required int ShareIndex { get; init; }

    public required int ShareCount { get; init; }

    /// <summary>The Stress instance that ran it (machine/pid/start time).</summary>
    public required string Worker { get; init; }

    /// <summary><c>completed</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    public string? Error { get; init; }

    /// <summary>Requests this share completed, over all its phases.</summary>
    public long Requests { get; init; }

    /// <summary>The share's phases in order; empty when it failed.</summary>
    public IReadOnlyList<StressSharePhase> Phases { get; init; } = [];

    public DateTimeOffset? StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
}

/// <summary>One phase of a share's scenario.</summary>
/// <param name="Name">The phase's name (e.g. <c>load</c>, <c>chars_1000</c>).</param>
/// <param name="Result">The phase's load result, in the snake_case shape of a run's <c>result.phases[].result</c> (docs/stress.md).</param>
/// <param name="Histograms">
/// The phase's raw recordings (latency, service time, schedule lag, per-second buckets) in the load engine's
/// <c>hdr1:</c> text form: HdrHistogram's compressed encoding, so the coordinator merges them exactly.
/// </param>
public sealed record StressSharePhase(string Name, JsonElement Result, string Histograms);
