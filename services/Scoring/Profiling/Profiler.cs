namespace BenchMesh.Scoring.Profiling;

/// <summary>Builds the §6.1 profile of one execution from its stored figures (docs/profile.md). Pure.</summary>
public static class Profiler
{
    public static PerformanceProfile Build(ProfileInput input) => Build(input, ProfileRules.All);

    public static PerformanceProfile Build(ProfileInput input, IReadOnlyList<IProfileRule> rules)
    {
        var facts = new ProfileFacts(input);
        var findings = rules.Select(r => r.Evaluate(facts)).OfType<ProfileFinding>().ToList();
        return new PerformanceProfile(
            new ProfileData(
                Phases(facts),
                findings.Select(f => f.Bottleneck).OfType<Bottleneck>().ToList(),
                Utilization(facts),
                Tokens(facts)),
            findings.Select(f => f.Opportunity).OfType<OptimizationOpportunity>().ToList());
    }

    private static List<ExecutionPhase> Phases(ProfileFacts facts)
    {
        var calls = facts.Calls;
        var streamed = calls.Where(c => c.TtftMs is not null).ToList();
        var process = calls.Where(c => c.CpuTimeMs is not null && c.DurationMs > 0).ToList();
        var peaks = calls.Where(c => c.PeakMemoryMb is not null).Select(c => c.PeakMemoryMb!.Value).ToList();
        PhaseResourceUsage? generationUsage = process.Count == 0 && peaks.Count == 0
            ? null
            : new PhaseResourceUsage(
                process.Count == 0 ? null : 100 * process.Sum(c => c.CpuTimeMs!.Value) / process.Sum(c => c.DurationMs),
                peaks.Count == 0 ? null : peaks.Max(),
                null);

        var phases = new List<(string Name, double? Duration, PhaseResourceUsage? Usage)>
        {
            ("queue_wait", facts.QueueWaitMs, null),
            ("warm_up", facts.Input.WarmupDurationMs, null),
            ("connect", facts.ConnectMs, facts.ConnectMs is null ? null : new PhaseResourceUsage(null, null, calls.Count(c => c.ConnectMs > 0))),
            ("request_write", facts.RequestWriteMs, facts.RequestWriteMs is null ? null : new PhaseResourceUsage(null, null, calls.Count(c => c.RequestWriteMs is not null))),
            ("time_to_first_token", streamed.Count == 0 ? null : streamed.Sum(ProfileFacts.FirstTokenWait), null),
            ("generation", calls.Count == 0 ? null : calls.Sum(ProfileFacts.Generation), generationUsage),
            ("judging", facts.Input.JudgeCalls == 0 ? null : facts.Input.JudgeDurationMs, null),
            ("scoring", facts.Input.ScoringMs, null),
            // The execution row, each sample and the outbox message.
            ("persistence", facts.Input.PersistenceMs, facts.Input.PersistenceMs is null ? null : new PhaseResourceUsage(null, null, calls.Count + 2)),
        };

        var total = phases.Sum(p => p.Duration ?? 0);
        return phases
            .Select(p => new ExecutionPhase(p.Name, p.Duration, p.Duration is { } d && total > 0 ? 100 * d / total : null, p.Usage))
            .ToList();
    }

    private static ResourceUtilization Utilization(ProfileFacts facts)
    {
        var calls = facts.Calls;
        var process = calls.Where(c => c.CpuTimeMs is not null && c.DurationMs > 0).ToList();
        var peaks = calls.Where(c => c.PeakMemoryMb is > 0).Select(c => c.PeakMemoryMb!.Value).ToList();
        var setup = (facts.ConnectMs ?? 0) + (facts.RequestWriteMs ?? 0);
        return new ResourceUtilization(
            process.Count == 0 ? null : process.Sum(c => c.CpuTimeMs!.Value) / process.Sum(c => c.DurationMs),
            peaks.Count == 0 ? null : peaks.Average() / peaks.Max(),
            (facts.ConnectMs is null && facts.RequestWriteMs is null) || facts.CallTimeMs <= 0 ? null : Math.Clamp(1 - setup / facts.CallTimeMs, 0, 1),
            facts.ParallelizationScore,
            facts.AchievedConcurrency,
            facts.Concurrency);
    }

    private static TokenAnalysis Tokens(ProfileFacts facts) => new(
        facts.InputTokens,
        facts.OutputTokens,
        facts.CacheHits,
        facts.WastedTokens,
        facts.AllTokens <= 0 ? null : (double)(facts.AllTokens - facts.WastedTokens) / facts.AllTokens,
        facts.WarmupTokens,
        facts.FailedCallTokens,
        facts.WrongAnswerTokens,
        new JudgeTokens(facts.Input.JudgeCalls, facts.Input.JudgeInputTokens, facts.Input.JudgeOutputTokens, facts.Input.JudgeCostUsd));
}
