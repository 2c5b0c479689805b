namespace BenchMesh.Scoring.Data;

/// <summary>One raw sample of an execution with its verdict.</summary>
public sealed class ExecutionSample
{
    public long Id { get; set; }
    public Guid ExecutionId { get; set; }
    public int Iteration { get; set; }
    public required string ItemId { get; set; }
    public string? Output { get; set; }
    public string? Expected { get; set; }
    public double DurationMs { get; set; }
    public double? TtftMs { get; set; }

    /// <summary>Phases of the call where the protocol shows them (null otherwise).</summary>
    public double? ConnectMs { get; set; }
    public double? RequestWriteMs { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }

    /// <summary>Input tokens the agent reported as served from its prompt cache.</summary>
    public long? CachedInputTokens { get; set; }
    public bool TokensReported { get; set; }
    public decimal CostUsd { get; set; }

    /// <summary>Process agents only.</summary>
    public double? PeakMemoryMb { get; set; }
    public double? CpuTimeMs { get; set; }
    public string? ErrorKind { get; set; }
    public string? Error { get; set; }
    public int? HttpStatus { get; set; }

    /// <summary>Null when the sample could not be scored (e.g. a model-graded output the judge could not grade).</summary>
    public double? Score { get; set; }
    public bool? Correct { get; set; }
    public required string Reason { get; set; }

    /// <summary>The judge's grade, identity, prompt hash and usage (JSON) of a model-graded sample; null otherwise.</summary>
    public string? Judgement { get; set; }
}
