using System.Diagnostics;
using System.Globalization;
using BenchMesh.Regression.Evaluation;

// The regression-detection benchmark (issue 3): a seeded labelled corpus, BenchMesh's engine and the reference detectors
// on the same series, figures per stratum of effect in standard errors. Not a test: it prints what it measured.
//   dotnet run -c Release --project tests/Benchmarks/BenchMesh.Regression.Evaluation -- [--quick] [--seed N]
//     [--series-per-cell N] [--write-corpus DIR] [--noise-mix Model,Model,...]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = EvaluationOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"usage: [--quick] [--seed N] [--series-per-cell N] [--write-corpus DIR] [--misses] [--engine-only | --one-shot-only] [--noise-mix {string.Join(',', Enum.GetNames<NoiseModel>())}]");
    return 2;
}

var clock = Stopwatch.StartNew();
var report = new Evaluation(options).Run();
Console.WriteLine();
Console.WriteLine($"Run time: {clock.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores.");
return report.AllGoalsMet ? 0 : 1;
