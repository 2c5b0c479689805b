using BenchMesh.Regression.Evaluation;
using BenchMesh.Statistics.Engine;

namespace BenchMesh.Statistics.Tests.Evaluation;

using Corpus = BenchMesh.Regression.Evaluation.Corpus;

public sealed class MannWhitneySegmentDetectorTests
{
    // Every version holds the same five runs in a rotated order, so a flat history ties the segment exactly (p = 1).
    private static readonly double[] Runs = [99, 99.5, 100, 100.5, 101];

    [Fact]
    public void A_clear_step_is_blamed_on_the_version_where_it_starts()
    {
        var alerts = new MannWhitneySegmentDetector().Detect(History(step: 20, at: 8));

        var alert = Assert.Single(alerts);
        Assert.Equal(8, alert.Blamed);
        Assert.Equal(9, alert.At); // raised once the next version confirms the step
    }

    [Fact]
    public void A_flat_history_raises_nothing()
    {
        Assert.Empty(new MannWhitneySegmentDetector().Detect(History(step: 0, at: 8)));
    }

    [Fact]
    public void A_single_version_outlier_that_reverts_raises_nothing()
    {
        var task = History(step: 0, at: 8);
        var versions = task.Series.Versions.ToList();
        versions[8] = versions[8] with { Runs = versions[8].Runs!.Select(v => v + 30).ToArray() };

        Assert.Empty(new MannWhitneySegmentDetector().Detect(task with { Series = task.Series with { Versions = versions } }));
    }

    [Fact]
    public void An_improvement_ends_the_segment_without_an_alert()
    {
        Assert.Empty(new MannWhitneySegmentDetector().Detect(History(step: -20, at: 8)));
    }

    private static HistoryTask History(double step, int at)
    {
        var versions = Enumerable.Range(0, 14).Select(v => new VersionSample(
            (v + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Enumerable.Range(0, Runs.Length).Select(r => Runs[(v + r) % Runs.Length] + (v >= at ? step : 0)).ToArray())).ToList();
        return new HistoryTask(new SeriesInput("s", null, Corpus.Latency, versions), NoiseModel.Normal5, Runs.Length, step / 100, step > 0 ? at : null, Decoy.None, 0, 0);
    }
}
