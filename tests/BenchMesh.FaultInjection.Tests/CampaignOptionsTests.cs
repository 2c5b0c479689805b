using BenchMesh.FaultInjection;

namespace BenchMesh.FaultInjection.Tests;

public sealed class CampaignOptionsTests
{
    [Fact]
    public void The_defaults_are_the_issues_runs_on_private_ports()
    {
        var options = CampaignOptions.Parse([], out var error);

        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal((20, 4, 100, 5, 3), (options.Repeats, options.Benchmarks, options.Items, options.Iterations, options.Warmups));
        Assert.Equal(FaultKinds.All, options.Faults);
        Assert.Equal(4 * 100 * (3 + 5), options.ExpectedCallsPerRun);
        Assert.Null(options.Ports.Validate());
    }

    [Fact]
    public void Smaller_trials_and_a_chosen_fault_are_read_from_the_command_line()
    {
        var options = CampaignOptions.Parse(["--repeats", "2", "--items", "20", "--iterations", "2", "--faults", "redis-stop,runner-kill"], out _)!;

        Assert.Equal((2, 20, 2), (options.Repeats, options.Items, options.Iterations));
        Assert.Equal([FaultKind.RedisStop, FaultKind.RunnerKill], options.Faults);
        Assert.Equal(4 * 20 * 5, options.ExpectedCallsPerRun);
        Assert.Equal(20 * 5, options.ExpectedCallsPerBenchmark);
    }

    [Theory]
    [InlineData("--pg-port", "5432", "shared server")]
    [InlineData("--rabbit-port", "5672", "shared server")]
    [InlineData("--redis-port", "35672", "command-line tools")]
    [InlineData("--rabbit-port", "50000", "45535")]
    [InlineData("--faults", "disk-full", "unknown fault 'disk-full'")]
    [InlineData("--items", "0", "--items")]
    [InlineData("--colour", "red", "unknown option --colour")]
    public void Settings_that_could_touch_the_shared_servers_or_make_no_sense_are_refused(string name, string value, string expected)
    {
        Assert.Null(CampaignOptions.Parse([name, value], out var error));
        Assert.Contains(expected, error);
    }
}
