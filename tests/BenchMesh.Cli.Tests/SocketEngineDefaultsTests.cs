namespace BenchMesh.Cli.Tests;

/// <summary>The socket-engine settings the CLI gives its own process (<see cref="SocketEngineDefaults"/>).</summary>
public sealed class SocketEngineDefaultsTests
{
    private static (IReadOnlyDictionary<string, string> Applied, Dictionary<string, string> Environment) Apply(int cores, params (string Name, string Value)[] given)
    {
        var environment = given.ToDictionary(g => g.Name, g => g.Value);
        var applied = SocketEngineDefaults.Apply(name => environment.GetValueOrDefault(name), (name, value) => environment[name] = value, cores);
        return (applied, environment);
    }

    [Fact]
    public void An_empty_environment_gets_inline_completions_and_one_socket_thread_on_two_cores()
    {
        var (applied, environment) = Apply(2);

        Assert.Equal("1", environment[SocketEngineDefaults.InlineCompletions]);
        Assert.Equal("1", environment[SocketEngineDefaults.ThreadCount]);
        Assert.Equal(2, applied.Count);
    }

    [Theory]
    [InlineData(1, "1")]
    [InlineData(3, "1")]
    [InlineData(8, "4")]
    [InlineData(64, "32")]
    public void The_socket_threads_are_half_the_cores_and_at_least_one(int cores, string expected)
    {
        var (_, environment) = Apply(cores);

        Assert.Equal(expected, environment[SocketEngineDefaults.ThreadCount]);
    }

    [Fact]
    public void Values_the_user_set_are_left_alone()
    {
        var (applied, environment) = Apply(2, (SocketEngineDefaults.InlineCompletions, "1"), (SocketEngineDefaults.ThreadCount, "2"));

        Assert.Empty(applied);
        Assert.Equal("2", environment[SocketEngineDefaults.ThreadCount]);
    }

    [Fact]
    public void Inline_completions_turned_off_by_the_user_leave_the_thread_count_to_dotnet()
    {
        var (applied, environment) = Apply(8, (SocketEngineDefaults.InlineCompletions, "0"));

        Assert.Empty(applied);
        Assert.Equal("0", environment[SocketEngineDefaults.InlineCompletions]);
        Assert.False(environment.ContainsKey(SocketEngineDefaults.ThreadCount));
    }

    [Fact]
    public void A_thread_count_the_user_set_is_kept_while_inline_completions_are_added()
    {
        var (applied, environment) = Apply(2, (SocketEngineDefaults.ThreadCount, "2"));

        Assert.Equal(SocketEngineDefaults.InlineCompletions, Assert.Single(applied).Key);
        Assert.Equal("2", environment[SocketEngineDefaults.ThreadCount]);
    }
}
