using System.Globalization;
using BenchMesh.Scoring.Scoring;

namespace BenchMesh.Scoring.Profiling;

/// <summary>What a rule found: a bottleneck, an opportunity, or both.</summary>
public sealed record ProfileFinding(Bottleneck? Bottleneck, OptimizationOpportunity? Opportunity);

/// <summary>One rule of the profile (docs/profile.md): reads the facts, answers a finding or null.</summary>
public interface IProfileRule
{
    string Name { get; }
    ProfileFinding? Evaluate(ProfileFacts facts);
}

/// <summary>The rules, in the order their findings are listed.</summary>
public static class ProfileRules
{
    public static readonly IReadOnlyList<IProfileRule> All =
    [
        new QueueWaitRule(),
        new SaturatedConcurrencyRule(),
        new SlowFirstTokenRule(),
        new ConnectionSetupRule(),
        new UnderusedConcurrencyRule(),
        new TokenHungryPromptRule(),
        new WastedTokensRule(),
    ];

    internal static string Ms(double value) => value.ToString("0", CultureInfo.InvariantCulture) + " ms";
    internal static string Share(double value) => value.ToString("P0", CultureInfo.InvariantCulture);
}

/// <summary>The run waited long for a runner worker before this benchmark started.</summary>
public sealed class QueueWaitRule : IProfileRule
{
    public string Name => "queue_wait";

    public ProfileFinding? Evaluate(ProfileFacts facts)
    {
        if (facts.QueueWaitMs is not { } wait || wait < ProfileThresholds.QueueWaitMs)
        {
            return null;
        }

        var share = wait / (wait + (facts.Input.EndTime - facts.Input.StartTime).TotalMilliseconds);
        if (share < ProfileThresholds.QueueWaitShare)
        {
            return null;
        }

        return new ProfileFinding(
            new Bottleneck(Name, "runner: queue", wait,
                $"the benchmark waited {ProfileRules.Ms(wait)} for a runner worker, {ProfileRules.Share(share)} of its time from request to end",
                "Add runner workers, or spread large runs over time."),
            new OptimizationOpportunity(Name, "capacity", $"start within the {ProfileRules.Ms(ProfileThresholds.QueueWaitMs)} the rule tolerates", share, "medium"));
    }
}

/// <summary>
/// Every configured slot stayed busy while calls took far longer than the fastest one: requests queue at the agent
/// (or its provider) beyond what it serves in parallel.
/// </summary>
public sealed class SaturatedConcurrencyRule : IProfileRule
{
    public string Name => "saturated_concurrency";

    public static bool Applies(ProfileFacts facts) =>
        facts.Concurrency >= 2
        && facts.ParallelizationScore >= ProfileThresholds.SaturatedParallelization
        && facts.Durations.Count >= ProfileThresholds.MinCalls
        && ScoreCalculator.Median(facts.Durations) >= ProfileThresholds.SaturatedLatencyFactor * facts.Durations.Min();

    public ProfileFinding? Evaluate(ProfileFacts facts)
    {
        if (!Applies(facts))
        {
            return null;
        }

        // The fastest call approximates the uncontended latency; what the others took beyond it is queueing.
        var fastest = facts.Durations.Min();
        var median = ScoreCalculator.Median(facts.Durations);
        var impact = facts.Durations.Sum(d => d - fastest);
        return new ProfileFinding(
            new Bottleneck(Name, "agent: request queue", impact,
                $"all {facts.Concurrency} concurrent slots stayed busy (parallelization {facts.ParallelizationScore:0.00}) while the median call took {ProfileRules.Ms(median)}, {median / fastest:0.0}× the fastest ({ProfileRules.Ms(fastest)}): calls queue at the agent",
                "Lower the concurrency to what the agent serves in parallel (latency drops, throughput stays), or scale the agent out."),
            new OptimizationOpportunity(Name, "concurrency", $"calls at the fastest call's latency would save {ProfileRules.Ms(impact)} of call time",
                impact / facts.CallTimeMs, "low"));
    }
}

/// <summary>Calls spend most of their time before the agent's first token.</summary>
public sealed class SlowFirstTokenRule : IProfileRule
{
    public string Name => "slow_first_token";

    public ProfileFinding? Evaluate(ProfileFacts facts)
    {
        // Under saturation the first token is late because calls queue; that rule names the cause.
        if (facts.FirstTokenCalls < ProfileThresholds.MinCalls
            || facts.MedianTtftMs < ProfileThresholds.SlowFirstTokenMs
            || facts.MedianTtftMs < ProfileThresholds.SlowFirstTokenShare * facts.MedianStreamedDurationMs
            || SaturatedConcurrencyRule.Applies(facts))
        {
            return null;
        }

        var impact = facts.Calls.Where(c => c.TtftMs is not null).Sum(c => Math.Max(0, c.TtftMs!.Value - ProfileThresholds.FirstTokenTargetMs));
        var share = facts.MedianTtftMs / facts.MedianStreamedDurationMs;
        return new ProfileFinding(
            new Bottleneck(Name, "agent: time to first token", impact,
                $"the median call waited {ProfileRules.Ms(facts.MedianTtftMs)} for its first token, {ProfileRules.Share(share)} of the call (prompt processing, provider queueing or a cold model)",
                "Shorten or cache the prompt's fixed part, use a faster model or a region closer to the runner, keep the model warm."),
            new OptimizationOpportunity(Name, "latency",
                $"first tokens within {ProfileRules.Ms(ProfileThresholds.FirstTokenTargetMs)} would save {ProfileRules.Ms(impact)} of call time",
                impact / facts.CallTimeMs, "medium"));
    }
}

/// <summary>Calls spend a large share of their time getting a connection.</summary>
public sealed class ConnectionSetupRule : IProfileRule
{
    public string Name => "connection_setup";

    public ProfileFinding? Evaluate(ProfileFacts facts)
    {
        if (facts.ConnectMs is not { } connect || facts.CallTimeMs <= 0 || connect / facts.CallTimeMs < ProfileThresholds.ConnectionShare)
        {
            return null;
        }

        var share = connect / facts.CallTimeMs;
        return new ProfileFinding(
            new Bottleneck(Name, "network: connection setup", connect,
                $"calls spent {ProfileRules.Share(share)} of their time waiting for a connection (pool wait, TCP and TLS handshakes)",
                "Let the agent keep connections alive (HTTP keep-alive or HTTP/2), raise its connection limit, or run it closer to the runner."),
            new OptimizationOpportunity(Name, "network", $"reused connections would save up to {ProfileRules.Ms(connect)} of call time", share, "low"));
    }
}

/// <summary>Calls overlapped far less than the configured concurrency allowed.</summary>
public sealed class UnderusedConcurrencyRule : IProfileRule
{
    public string Name => "underused_concurrency";

    public ProfileFinding? Evaluate(ProfileFacts facts)
    {
        if (facts.Concurrency < 2 || facts.ParallelizationScore is not { } score || score >= ProfileThresholds.UnderusedParallelization)
        {
            return null;
        }

        return new ProfileFinding(null, new OptimizationOpportunity(Name, "concurrency",
            $"calls overlapped {facts.AchievedConcurrency:0.0} on average of the {facts.Concurrency} configured: something serialized them (the agent accepts one request at a time, or time outside calls dominates); lower the concurrency or let the agent take requests in parallel",
            1 - score, "low"));
    }
}

/// <summary>Large prompts, little output, little of it from the prompt cache.</summary>
public sealed class TokenHungryPromptRule : IProfileRule
{
    public string Name => "token_hungry_prompt";

    public ProfileFinding? Evaluate(ProfileFacts facts)
    {
        var ok = facts.Succeeded;
        if (ok.Count < ProfileThresholds.MinCalls)
        {
            return null;
        }

        var input = ok.Sum(c => (double)c.InputTokens);
        var output = ok.Sum(c => (double)c.OutputTokens);
        var cached = ok.Sum(c => (double)(c.CachedInputTokens ?? 0));
        var meanInput = input / ok.Count;
        if (meanInput < ProfileThresholds.TokenHungryInputTokens
            || input / (input + output) < ProfileThresholds.TokenHungryInputShare
            || cached / input >= ProfileThresholds.TokenHungryCachedShare)
        {
            return null;
        }

        var saving = ProfileThresholds.PromptSavingsShare * (input - cached) / (input + output);
        return new ProfileFinding(null, new OptimizationOpportunity(Name, "tokens",
            $"prompts average {meanInput:0} input tokens for {output / ok.Count:0} output tokens, {ProfileRules.Share(cached / input)} from the prompt cache: trim the prompt's fixed part (instructions, examples, context) or enable prompt caching",
            saving, "medium"));
    }
}

/// <summary>Much of the tokens went to warm-ups, failed calls and wrong answers.</summary>
public sealed class WastedTokensRule : IProfileRule
{
    public string Name => "wasted_tokens";

    public ProfileFinding? Evaluate(ProfileFacts facts)
    {
        if (facts.AllTokens <= 0 || (double)facts.WastedTokens / facts.AllTokens < ProfileThresholds.WastedTokenShare)
        {
            return null;
        }

        var share = (double)facts.WastedTokens / facts.AllTokens;
        // Fewer warm-ups is a configuration change; better answers are work on the agent.
        var warmupLed = facts.WarmupTokens >= facts.FailedCallTokens + facts.WrongAnswerTokens;
        return new ProfileFinding(null, new OptimizationOpportunity(Name, "tokens",
            $"{facts.WastedTokens} of {facts.AllTokens} tokens ({ProfileRules.Share(share)}) went to warm-ups ({facts.WarmupTokens}), failed calls ({facts.FailedCallTokens}) and wrong answers ({facts.WrongAnswerTokens})"
            + (warmupLed ? ": run fewer warm-up passes" : ": fix the failing and wrong answers first"),
            share, warmupLed ? "low" : "high"));
    }
}
