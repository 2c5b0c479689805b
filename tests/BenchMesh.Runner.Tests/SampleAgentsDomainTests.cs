using BenchMesh.SampleAgents.Domain;

namespace BenchMesh.Runner.Tests;

public sealed class TaskSolverTests
{
    [Theory]
    [InlineData("What is 12 + 7?", "19")]
    [InlineData("Compute 3 * 4", "12")]
    [InlineData("What is 10 - 12.5?", "-2.5")]
    [InlineData("What is 7 / 2?", "3.5")]
    [InlineData("What is 1.5 * 4?", "6")]
    [InlineData("What is 1 / 3?", "0.3333333333")]
    [InlineData("Reverse: abc", "cba")]
    [InlineData("Uppercase: hello world", "HELLO WORLD")]
    [InlineData("Capital of France?", "Paris")]
    [InlineData("What is the capital of Japan?", "Tokyo")]
    [InlineData("Capital of Atlantis?", "I don't know")]
    [InlineData("Tell me a joke", "Tell me a joke")]
    public void Solves_the_demo_task_families(string input, string expected) =>
        Assert.Equal(expected, TaskSolver.Solve(input).Answer);

    [Fact]
    public void Wrong_answers_are_deterministic_and_wrong()
    {
        Assert.Equal("20", TaskSolver.Solve("What is 12 + 7?").WrongAnswer);
        Assert.Equal(TaskSolver.DontKnow, TaskSolver.Solve("Reverse: abc").WrongAnswer);
        Assert.Equal(TaskSolver.Solve("Compute 3 * 4"), TaskSolver.Solve("Compute 3 * 4"));
    }

    [Fact]
    public void Division_by_zero_is_not_answered_as_a_number() =>
        Assert.Equal("What is 1 / 0?", TaskSolver.Solve("What is 1 / 0?").Answer);
}

public sealed class ProfileResolverTests
{
    private static readonly ProfileResolver Resolver = new(new Dictionary<string, AgentProfile>
    {
        ["baseline"] = new() { LatencyMs = 30, LatencyJitterMs = 5, Accuracy = 0.95, ErrorRate = 0 },
    });

    private static readonly ProfileOverrides None = new(null, null, null, null);

    [Fact]
    public void Finds_a_profile_case_insensitively()
    {
        var (profile, errors) = Resolver.Resolve("Baseline", None);
        Assert.True(errors.IsValid);
        Assert.Equal(0.95, profile!.Accuracy);
    }

    [Fact]
    public void Unknown_profile_resolves_to_nothing_without_errors()
    {
        var (profile, errors) = Resolver.Resolve("nope", None);
        Assert.Null(profile);
        Assert.True(errors.IsValid);
    }

    [Fact]
    public void Query_overrides_replace_the_profile_values()
    {
        var (profile, _) = Resolver.Resolve("baseline", new ProfileOverrides("100", null, "0.5", "0.25"));
        Assert.Equal(new AgentProfile { LatencyMs = 100, LatencyJitterMs = 0, Accuracy = 0.5, ErrorRate = 0.25 }, profile);
    }

    [Fact]
    public void Out_of_range_overrides_are_field_errors()
    {
        var (profile, errors) = Resolver.Resolve("baseline", new ProfileOverrides("-1", null, "1.5", "abc"));
        Assert.Null(profile);
        Assert.Equal(["accuracy", "error_rate", "latency_ms"], errors.ToDictionary().Keys.Order());
    }
}

public sealed class SimulatedAgentTests
{
    [Fact]
    public void Accuracy_zero_always_answers_wrongly_and_one_always_right()
    {
        var agent = new SimulatedAgent(new Random(7));
        var right = new AgentProfile { Accuracy = 1 };
        var wrong = new AgentProfile { Accuracy = 0 };
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("19", agent.Play(right, "What is 12 + 7?").Output);
            Assert.Equal("20", agent.Play(wrong, "What is 12 + 7?").Output);
        }
    }

    [Fact]
    public void Error_rate_and_accuracy_show_in_proportion()
    {
        var agent = new SimulatedAgent(new Random(42));
        var profile = new AgentProfile { Accuracy = 0.6, ErrorRate = 0.2 };
        var turns = Enumerable.Range(0, 2000).Select(_ => agent.Play(profile, "Uppercase: a")).ToList();
        Assert.InRange(turns.Count(t => t.Fails) / 2000.0, 0.16, 0.24);
        Assert.InRange(turns.Count(t => t.Output == "A") / 2000.0, 0.55, 0.65);
    }

    [Fact]
    public void Latency_stays_within_the_jitter()
    {
        var agent = new SimulatedAgent(new Random(1));
        var profile = new AgentProfile { LatencyMs = 30, LatencyJitterMs = 5 };
        var latencies = Enumerable.Range(0, 500).Select(_ => agent.Play(profile, "x").Latency.TotalMilliseconds).ToList();
        Assert.All(latencies, l => Assert.InRange(l, 25, 35));
        Assert.True(latencies.Max() - latencies.Min() > 5, "latency should vary with jitter");
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("one", 1)]
    [InlineData("What is 12 + 7?", 7)]
    [InlineData("a b c d e f g h i j", 13)]
    public void Token_usage_is_words_times_1_3(string text, int tokens) =>
        Assert.Equal(tokens, TokenEstimator.Estimate(text));
}
