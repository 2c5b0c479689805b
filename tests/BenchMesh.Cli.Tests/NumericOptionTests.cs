using BenchMesh.Cli.Commands;

namespace BenchMesh.Cli.Tests;

/// <summary>
/// A value that is not a number, for every numeric option of every command: one line naming the option and the value,
/// exit 3 (usage), and nothing sent (the gateway address is one nothing listens on). It used to throw from the validators.
/// </summary>
public sealed class NumericOptionTests
{
    private const string Nowhere = "http://127.0.0.1:9";

    public static TheoryData<string[], string, string> NotNumbers => new()
    {
        { ["run", "--agent", "a", "--suite", "s"], "--iterations", "ten" },
        { ["run", "--agent", "a", "--suite", "s"], "--warmup", "1.5" },
        { ["run", "--agent", "a", "--suite", "s"], "--concurrency", "x" },
        { ["run", "--agent", "a", "--suite", "s"], "--timeout", "5m" },
        { ["leaderboard"], "--limit", "all" },
        { ["results", "--agent", "a"], "--limit", "many" },
        { ["runs", "list"], "--limit", "1e3" },
        { ["regressions", "--agent", "a"], "--threshold", "five%" },
        { ["agent", "register", "--name", "n", "--protocol", "http-json", "--endpoint", "http://x"], "--input-price", "free" },
        { ["agent", "register", "--name", "n", "--protocol", "http-json", "--endpoint", "http://x"], "--output-price", "$1" },
        { ["agent", "register", "--name", "n", "--protocol", "http-json", "--endpoint", "http://x"], "--call-price", "NaN?" },
        { ["cost", "a"], "--monthly-tasks", "lots" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--rate", "5"], "--connections", "fifty" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--executor", "constant-concurrency"], "--concurrency", "Infinity" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--executor", "ramping-arrival-rate", "--stages", "1s:5"], "--start", "zero" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--rate", "5", "--breaking-point"], "--step-rate", "x" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--rate", "5", "--breaking-point"], "--max-rate", "x" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--rate", "5", "--breaking-point"], "--refine", "x" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--rate", "5"], "--max-requests", "x" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--rate", "5"], "--max-in-flight", "x" },
        { ["stress", "--url", "http://127.0.0.1:9/", "--rate", "5", "--protocol", "http-json"], "--input-chars", "x" },
    };

    [Theory]
    [MemberData(nameof(NotNumbers))]
    public async Task A_value_that_is_not_a_number_is_one_line_naming_the_option_and_exits_3(string[] command, string option, string value)
    {
        var result = await CliHarness.RunAsync([.. command, option, value, "--gateway", Nowhere]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.EndsWith($"{option}: '{value}' is not a whole number.", StringComparison.Ordinal)
            || l.EndsWith($"{option}: '{value}' is not a number.", StringComparison.Ordinal));
        Assert.DoesNotContain("System.", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.All, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("--iterations", "-1")]
    [InlineData("--timeout", "-5")]
    public async Task A_negative_count_is_still_refused_by_name(string option, string value)
    {
        var result = await CliHarness.RunAsync("run", "--agent", "a", "--suite", "s", option, value, "--gateway", Nowhere);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"{option} must not be negative.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_price_is_still_refused_by_name()
    {
        var result = await CliHarness.RunAsync(
            "agent", "register", "--name", "n", "--protocol", "http-json", "--endpoint", "http://x", "--input-price", "-0.5", "--gateway", Nowhere);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--input-price must not be negative.", result.Error, StringComparison.Ordinal);
    }
}
