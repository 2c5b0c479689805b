using BenchMesh.Regression.Evaluation;

namespace BenchMesh.Statistics.Tests.Corpus;

using Corpus = BenchMesh.Regression.Evaluation.Corpus;

public sealed class CorpusTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("benchmesh-corpus-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_same_seed_gives_the_same_series_and_another_seed_another()
    {
        var first = Corpus.History(42, NoiseModel.LogNormal10, 5, 0.2, regressed: true, Decoy.None);
        var again = Corpus.History(42, NoiseModel.LogNormal10, 5, 0.2, regressed: true, Decoy.None);
        var other = Corpus.History(43, NoiseModel.LogNormal10, 5, 0.2, regressed: true, Decoy.None);

        Assert.Equal(first.ChangeAt, again.ChangeAt);
        Assert.Equal(first.Series.Versions.SelectMany(v => v.Runs!), again.Series.Versions.SelectMany(v => v.Runs!));
        Assert.NotEqual(first.Series.Versions.SelectMany(v => v.Runs!), other.Series.Versions.SelectMany(v => v.Runs!));
    }

    [Fact]
    public void An_injected_twenty_percent_shift_moves_the_version_means_by_about_twenty_percent()
    {
        var task = Corpus.History(7, NoiseModel.Normal5, 30, 0.2, regressed: true, Decoy.None);
        var changeAt = task.ChangeAt!.Value;
        var before = task.Series.Versions.Take(changeAt).SelectMany(v => v.Runs!).Average();
        var after = task.Series.Versions.Skip(changeAt).SelectMany(v => v.Runs!).Average();

        Assert.InRange(changeAt, 20, 34);
        Assert.InRange(after / before - 1, 0.18, 0.22);
    }

    [Fact]
    public void A_version_batch_offset_counts_in_the_standard_error_of_a_version_mean()
    {
        // √(0.05² + 0.10²/30) = 0.0540: a 20 % shift is 3.4 standard errors, not the 8.1 that independent runs would give.
        Assert.Equal(Math.Log(1.2) / Math.Sqrt(0.05 * 0.05 + 0.01 / 30), Corpus.Z(NoiseModel.VersionBatch, 30, 0.2), 9);
        Assert.InRange(Corpus.Z(NoiseModel.VersionBatch, 30, 0.2), 3.3, 3.5);

        // The batch is shared by one draw's runs: their spread around their own mean is the 10 % run noise only.
        var runs = Corpus.Draw(new Random(3), NoiseModel.VersionBatch, 100, 2_000).Select(v => Math.Log(v)).ToArray();
        var mean = runs.Average();
        Assert.InRange(Math.Sqrt(runs.Sum(v => (v - mean) * (v - mean)) / (runs.Length - 1)), 0.095, 0.105);
    }

    [Theory]
    [InlineData(NoiseModel.RunItem2x10, 0.02, 0.10)]
    [InlineData(NoiseModel.RunItem10x30, 0.10, 0.30)]
    public void A_run_of_the_run_item_hierarchy_varies_by_its_run_effect_plus_its_items_averaged(NoiseModel noise, double sigmaRun, double sigmaItem)
    {
        // The run aggregate averages 50 weighted items, so the item noise shrinks by about √(Σw²) (≈ 1/√50 to 1/√30).
        var sigma = Corpus.SigmaLog(noise);

        Assert.InRange(sigma, sigmaRun, Math.Sqrt(sigmaRun * sigmaRun + sigmaItem * sigmaItem / 20));
        Assert.Equal(Math.Log(1.1) / (sigma / Math.Sqrt(10)), Corpus.Z(noise, 10, 0.1), 9);
    }

    [Fact]
    public void The_written_corpus_is_valid_regress_input_with_its_labels_beside_it()
    {
        var tasks = new[] { Corpus.History(1, NoiseModel.Bimodal, 3, 0.1, true, Decoy.RevertingOutlier), Corpus.History(2, NoiseModel.VersionBatch, 5, 0.1, false, Decoy.VarianceOnly) };

        CorpusWriter.Write(_directory, tasks);

        var read = CorpusWriter.ReadBack(_directory);
        Assert.Equal(["h1", "h2"], read.Select(s => s.Id));
        Assert.All(read, s => Assert.Equal(Corpus.Versions, s.Versions.Count));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_directory, "labels.jsonl")).Length);
    }

    public static TheoryData<string> References => new() { "bencher", "otava", "perfherder", "pinpoint", "naive" };

    [Theory]
    [MemberData(nameof(References))]
    public void Each_reference_detector_finds_a_clear_step_and_stays_nearly_quiet_on_flat_quiet_noise(string name)
    {
        IDetector detector = name switch
        {
            "bencher" => new BencherDetector(),
            "otava" => new OtavaDetector(1e-3),
            "perfherder" => new PerfherderDetector(),
            "pinpoint" => new PinpointDetector(),
            _ => new NaiveDetector(),
        };
        var step = Corpus.History(11, NoiseModel.Normal5, 10, 0.5, regressed: true, Decoy.None);
        var flat = Corpus.History(12, NoiseModel.Normal5, 30, 0.5, regressed: false, Decoy.None);

        var alerts = detector.Detect(step);

        Assert.Contains(alerts, a => Math.Abs(a.Blamed - step.ChangeAt!.Value) <= 1);
        // Bencher's 99 % boundary alone expects 0.4 false alerts in 39 checks; none of them should do worse than one.
        Assert.InRange(detector.Detect(flat).Count, 0, 1);
    }
}
