namespace BenchMesh.Scale.Benchmark;

/// <summary>A suite with its one benchmark (BenchMesh's runs are per suite benchmark; 200 of each).</summary>
public sealed record SuiteBenchmark(Guid SuiteId, Guid BenchmarkId, string Name, string Category, int Items, double Difficulty, double LatencyMs);

/// <summary>An agent: its versions (each from a moment on), how often it is benchmarked, its suites and its skill.</summary>
public sealed record SyntheticAgent(
    Guid AgentId, string Name, string WorkspaceId, string[] Versions, DateTimeOffset[] VersionSince, double[] VersionDelta,
    double Weight, int[] Suites, double Skill, double Speed, double CostPerTask)
{
    public int VersionAt(DateTimeOffset t)
    {
        var v = 0;
        while (v + 1 < VersionSince.Length && VersionSince[v + 1] <= t)
        {
            v++;
        }

        return v;
    }
}

/// <summary>
/// The synthetic population, fixed by a seed: 1,000 agents with 2–12 versions each, 200 suites of one benchmark each
/// over the seven suite categories, 18 months of history. Activity per agent is log-normal (a few agents are
/// benchmarked far more than most, as CI-driven agents are), each agent runs 4–24 of the suites, and a version's
/// scores are the agent's skill plus a per-version step plus the benchmark's difficulty plus noise.
/// 80 % of the agents belong to the <c>default</c> workspace, the rest to 20 small ones.
/// </summary>
public sealed class World
{
    /// <summary>The agents of the default world; <c>--agents</c> chooses fewer, so that a small fill gives each agent as long a history as 10 M rows give 1,000.</summary>
    public const int DefaultAgents = 1_000;
    public const int Suites = 200;
    public const int Months = 18;
    public const string MeasuredWorkspace = "default";

    public static readonly string[] Categories = ["speed", "accuracy", "efficiency", "reliability", "cost", "scalability", "comprehensive"];

    public DateTimeOffset Now { get; }
    public DateTimeOffset Start { get; }
    public IReadOnlyList<SuiteBenchmark> Benchmarks { get; }
    public IReadOnlyList<SyntheticAgent> AgentList { get; }
    public int Agents => AgentList.Count;

    /// <summary>Cumulative activity weights, for picking an execution's agent by binary search.</summary>
    private readonly double[] _cumulative;

    public World(DateTimeOffset now, int agents = DefaultAgents, int seed = 14)
    {
        var random = new Random(seed);
        Now = now;
        Start = now.AddMonths(-Months);
        Benchmarks = Enumerable.Range(0, Suites).Select(i => new SuiteBenchmark(
            GuidFrom(random), GuidFrom(random), $"benchmark-{i:000}", Categories[i % Categories.Length],
            Items: 10 + random.Next(31), Difficulty: random.NextDouble() * 0.3 - 0.15, LatencyMs: 200 + random.NextDouble() * 3_000)).ToList();

        AgentList = Enumerable.Range(0, agents).Select(i =>
        {
            var versions = 2 + random.Next(11);
            var since = Enumerable.Range(0, versions)
                .Select(v => v == 0 ? Start : Start + (now - Start) * random.NextDouble())
                .Order()
                .ToArray();
            var deltas = new double[versions];
            for (var v = 1; v < versions; v++)
            {
                // Most versions move a little; one in six regresses or improves clearly.
                deltas[v] = deltas[v - 1] + (random.Next(6) == 0 ? 0.08 : 0.015) * Normal(random);
            }

            var suites = Enumerable.Range(0, Suites).OrderBy(_ => random.Next()).Take(4 + random.Next(21)).ToArray();
            return new SyntheticAgent(
                GuidFrom(random), $"agent-{i:0000}", i % 5 == 4 ? $"team-{i % 20:00}" : MeasuredWorkspace,
                Enumerable.Range(1, versions).Select(v => $"1.{v}.0").ToArray(), since, deltas,
                Weight: Math.Exp(1.2 * Normal(random)), suites, Skill: 0.45 + 0.35 * random.NextDouble(),
                Speed: 0.5 + random.NextDouble(), CostPerTask: 0.0005 + 0.02 * random.NextDouble());
        }).ToList();

        _cumulative = new double[Agents];
        var sum = 0.0;
        for (var i = 0; i < Agents; i++)
        {
            sum += AgentList[i].Weight;
            _cumulative[i] = sum;
        }
    }

    public SyntheticAgent PickAgent(Random random)
    {
        var i = Array.BinarySearch(_cumulative, random.NextDouble() * _cumulative[^1]);
        return AgentList[i < 0 ? ~i : i];
    }

    /// <summary>
    /// The moment of execution <paramref name="i"/> of <paramref name="count"/>: in order (rows are written as they would
    /// have been inserted), with a density that grows linearly, three times as many executions a day at the end of the
    /// 18 months as at the start.
    /// </summary>
    public DateTimeOffset TimeOf(long i, long count)
    {
        // Density 1 + 2x on [0, 1]; its distribution function (x + x²) / 2, inverted.
        var u = (i + 0.5) / count;
        var x = (-1 + Math.Sqrt(1 + 8 * u)) / 2;
        return Start + (Now - Start) * x;
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static Guid GuidFrom(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4, like Guid.NewGuid()'s
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
