namespace BenchMesh.Runner.Data;

/// <summary>
/// An interleaved confirmation the Regression service asked for (a <c>ConfirmationRunsRequested</c> with a baseline
/// version): runs of the candidate and the baseline alternating, A B A B …, each started only when the one before it has
/// finished, so that the two versions' runs share the same moments. The agents and the benchmark are kept as they were
/// when the request arrived, so every step runs the same items in the same order.
/// </summary>
public sealed class ConfirmationSequence
{
    /// <summary>The request's id (also step 0's run id).</summary>
    public Guid RequestId { get; set; }

    /// <summary>The candidate version's agent snapshot (JSON), run at the even steps.</summary>
    public required string CandidateAgentJson { get; set; }

    /// <summary>The baseline version's agent snapshot (JSON), run at the odd steps.</summary>
    public required string BaselineAgentJson { get; set; }

    /// <summary>The suite reduced to the one benchmark confirmed (JSON).</summary>
    public required string SuiteJson { get; set; }

    /// <summary>The run configuration of every step (JSON, snake_case, as on a run).</summary>
    public required string ConfigurationJson { get; set; }

    /// <summary>Runs in the sequence: twice the pairs.</summary>
    public int Steps { get; set; }

    /// <summary>The step running now; the sequence is over when it is the last and has finished.</summary>
    public int CurrentStep { get; set; }

    /// <summary>The run of <see cref="CurrentStep"/>: its completion starts the next step.</summary>
    public Guid CurrentRunId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
