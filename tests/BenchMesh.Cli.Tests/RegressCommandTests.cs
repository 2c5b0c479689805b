using System.Text.Json;

namespace BenchMesh.Cli.Tests;

public sealed class RegressCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("benchmesh-regress-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private const string Regressed =
        """{"id": "s1", "family": "run-42", "metric": "latency_ms", "direction": "lower_is_better", "scale": "log", "threshold": 0.03, "versions": [{"version": "1.0", "runs": [101.2, 99.8, 103.1, 100.4, 98.9, 102.2, 100.0, 101.7]}, {"version": "1.1", "runs": [112.0, 109.5, 111.7, 113.2, 110.1, 112.9, 111.0, 110.6]}]}""";

    private const string Steady =
        """{"id": "s2", "family": "run-42", "metric": "cost_per_task_usd", "versions": [{"version": "1.0", "runs": [0.0101, 0.0099, 0.0100, 0.0100, 0.0102, 0.0098, 0.0100, 0.0101]}, {"version": "1.1", "runs": [0.0100, 0.0101, 0.0099, 0.0100, 0.0100, 0.0101, 0.0099, 0.0100]}]}""";

    private string Write(params string[] lines)
    {
        var path = Path.Combine(_directory, "series.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public async Task Verdicts_come_out_one_per_line_in_input_order_and_a_regression_exits_2()
    {
        var result = await CliHarness.RunAsync("regress", "--input", Write(Regressed, "", Steady));

        Assert.Equal(2, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var s1 = first.RootElement;
        Assert.Equal("s1", s1.GetProperty("id").GetString());
        Assert.Equal("regressed", s1.GetProperty("verdict").GetString());
        Assert.Equal("1.1", s1.GetProperty("version").GetString());
        var alert = s1.GetProperty("alerts")[0];
        Assert.Equal("1.1", alert.GetProperty("at_version").GetString());
        Assert.Equal("1.1", alert.GetProperty("blamed_version").GetString());
        Assert.Equal("gate", alert.GetProperty("path").GetString());
        Assert.InRange(alert.GetProperty("effect").GetProperty("estimate").GetDouble(), 0.07, 0.14);
        Assert.True(alert.GetProperty("effect").GetProperty("lower").GetDouble() > 0);
        Assert.True(alert.GetProperty("p_value").GetDouble() <= 1e-3);
        Assert.True(alert.GetProperty("q_value").GetDouble() >= alert.GetProperty("p_value").GetDouble());
        Assert.Equal("major", alert.GetProperty("severity").GetString());
        Assert.True(s1.GetProperty("mde").GetDouble() > 0);

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("s2", second.RootElement.GetProperty("id").GetString());
        Assert.Equal("no_change", second.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(0, second.RootElement.GetProperty("alerts").GetArrayLength());
    }

    [Fact]
    public async Task With_output_the_verdicts_go_to_the_file_and_no_regression_exits_0()
    {
        var output = Path.Combine(_directory, "verdicts.jsonl");

        var result = await CliHarness.RunAsync("regress", "--input", Write(Steady), "--output", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("1 series analysed, 0 regressed", result.Error);
        var line = Assert.Single(File.ReadAllLines(output));
        Assert.Equal("no_change", JsonDocument.Parse(line).RootElement.GetProperty("verdict").GetString());
    }

    [Theory]
    [InlineData("""{"id": "x", "metric": "latency_ms", "versions": [{"version": "1", "runs": [1, -2]}]}""", "line 2: versions[0].runs: -2 is not positive")]
    [InlineData("""{"id": "x", "metric": "latency_ms", "colour": "red", "versions": [{"version": "1", "runs": [1]}]}""", "line 2: unknown property 'colour'")]
    [InlineData("""{"id": "x", "metric": "latency_ms", "versions": []}""", "line 2: 'versions' must be a non-empty array")]
    [InlineData("""{"id": "x", "metric": "queue_depth", "versions": [{"version": "1", "runs": [1]}]}""", "line 2: 'queue_depth' is not a known metric: give its 'direction'")]
    [InlineData("""{"id": "x", "metric": "accuracy", "versions": [{"version": "1", "items": {"q1": [1, 2]}}]}""", "line 2: versions[0].items.q1: 2 is outside [0, 1]")]
    [InlineData("""{"id": "s1", "metric": "latency_ms", "versions": [{"version": "1", "runs": [1]}]}""", "line 2: the id 's1' was used on an earlier line")]
    [InlineData("""{"id": "x", "metric": "latency_ms", "versions": [{"version": "1", "runs": [1]}, {"version": "1", "runs": [2]}]}""", "line 2: version '1' appears twice")]
    [InlineData("""{"id": "x", "metric": "latency_ms", "direction": "sideways", "versions": [{"version": "1", "runs": [1]}]}""", "line 2: 'direction' must be lower_is_better or higher_is_better")]
    [InlineData("""{"id": "x", "metric": "latency_ms", "threshold": -1, "versions": [{"version": "1", "runs": [1]}]}""", "line 2: 'threshold': The threshold must be a positive number")]
    [InlineData("""not json""", "line 2: not valid JSON")]
    public async Task A_malformed_line_is_named_and_nothing_is_written(string badLine, string expected)
    {
        var output = Path.Combine(_directory, "verdicts.jsonl");

        var result = await CliHarness.RunAsync("regress", "--input", Write(Regressed, badLine), "--output", output);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task A_missing_input_file_is_a_usage_error()
    {
        var result = await CliHarness.RunAsync("regress", "--input", Path.Combine(_directory, "nope.jsonl"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot read", result.Error);
    }
}
