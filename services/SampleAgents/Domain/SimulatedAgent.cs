namespace BenchMesh.SampleAgents.Domain;

/// <summary>What one call to a sample agent does: how long it takes, whether it fails, what it answers.</summary>
public sealed record AgentTurn(TimeSpan Latency, bool Fails, string Output, int InputTokens, int OutputTokens);

/// <summary>
/// Plays a profile: draws latency, faults and mistakes from <paramref name="random"/> (seedable in tests).
/// </summary>
public sealed class SimulatedAgent(Random random)
{
    public AgentTurn Play(AgentProfile profile, string input, string? promptForTokens = null)
    {
        var jitter = profile.LatencyJitterMs <= 0 ? 0 : (random.NextDouble() * 2 - 1) * profile.LatencyJitterMs;
        var latency = TimeSpan.FromMilliseconds(Math.Max(0, profile.LatencyMs + jitter));
        var fails = profile.ErrorRate > 0 && random.NextDouble() < profile.ErrorRate;

        var solution = profile.Judge ? JudgeGrader.Grade(input) : TaskSolver.Solve(input);
        var correct = profile.Accuracy >= 1 || random.NextDouble() < profile.Accuracy;
        var output = correct ? solution.Answer : solution.WrongAnswer;

        return new AgentTurn(latency, fails, output, TokenEstimator.Estimate(promptForTokens ?? input), TokenEstimator.Estimate(output));
    }
}

/// <summary>The fake model's token count: whitespace-separated words times 1.3, rounded.</summary>
public static class TokenEstimator
{
    public static int Estimate(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return (int)Math.Round(words * 1.3, MidpointRounding.AwayFromZero);
    }
}
