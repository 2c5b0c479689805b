using BenchMesh.Regression.Consumers;

namespace BenchMesh.Regression.Tests;

/// <summary>How many executions a Regression process judges at once (<see cref="RegressionOptions.JudgementConcurrency"/>).</summary>
public sealed class JudgementConcurrencyTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(8, 4)]
    public void By_default_half_the_cores_and_at_least_one(int cores, int expected) =>
        Assert.Equal(expected, new RegressionOptions().ConcurrentJudgements(cores));

    [Fact]
    public void A_configured_concurrency_is_taken_as_it_is() =>
        Assert.Equal(6, new RegressionOptions { JudgementConcurrency = 6 }.ConcurrentJudgements(2));
}
