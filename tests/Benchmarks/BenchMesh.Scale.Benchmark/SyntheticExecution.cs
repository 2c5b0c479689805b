using System.Globalization;
using System.Text;

namespace BenchMesh.Scale.Benchmark;

/// <summary>One execution as Scoring would have scored it, with what each service's tables keep of it.</summary>
public sealed class SyntheticExecution
{
    public Guid ExecutionId { get; private init; }
    public Guid RunId { get; private init; }
    public required SyntheticAgent Agent { get; init; }
    public required string Version { get; init; }
    public required SuiteBenchmark Benchmark { get; init; }
    public DateTimeOffset StartedAt { get; private init; }
    public DateTimeOffset ScoredAt { get; private init; }

    /// <summary>Scoring's status (success | terminated | failed); the leaderboard's event status is completed or failed.</summary>
    public required string Status { get; init; }
    public int Iterations { get; private init; }
    public int Samples { get; private init; }
    public double Accuracy { get; private init; }
    public double Speed { get; private init; }
    public double Efficiency { get; private init; }
    public double Cost { get; private init; }
    public double Reliability { get; private init; }
    public double Overall { get; private init; }
    public double ErrorRate { get; private init; }
    public double MedianLatencyMs { get; private init; }
    public double P95LatencyMs { get; private init; }
    public double MeanTokensPerTask { get; private init; }
    public double MeanCostPerTaskUsd { get; private init; }
    public long TokensUsed { get; private init; }
    public decimal TotalCostUsd { get; private init; }
    public long DurationMs { get; private init; }

    /// <summary>Per item [successes, attempts], JSON as Scoring writes it (and the leaderboard and Regression keep it).</summary>
    public required string ItemOutcomesJson { get; init; }

    /// <summary>Per measured pass (the contract's IterationMetrics, snake_case JSON).</summary>
    public required string PerIterationJson { get; init; }

    /// <summary>The execution's raw metrics as Scoring stores them (its metrics column).</summary>
    public required string MetricsJson { get; init; }

    /// <summary>Execution <paramref name="i"/> of <paramref name="count"/>, drawn from <paramref name="random"/>.</summary>
    public static SyntheticExecution Create(World world, long i, long count, Random random)
    {
        var agent = world.PickAgent(random);
        var benchmark = world.Benchmarks[agent.Suites[random.Next(agent.Suites.Length)]];
        var scoredAt = world.TimeOf(i, count);
        var v = agent.VersionAt(scoredAt);
        var roll = random.NextDouble();
        var status = roll < 0.02 ? "failed" : roll < 0.05 ? "terminated" : "success";
        var iterations = 1 + random.Next(3);
        var p = Math.Clamp(agent.Skill + agent.VersionDelta[v] + benchmark.Difficulty + 0.04 * World.Normal(random), 0.02, 0.99);
        var errorP = status == "failed" ? 0.6 : 0.01 + 0.03 * random.NextDouble();

        // The items: each attempted once per pass; a success with probability p, an error with errorP.
        var outcomes = new StringBuilder(benchmark.Items * 16).Append('{');
        var successes = 0;
        var errors = 0;
        var passSuccesses = new int[iterations];
        for (var item = 0; item < benchmark.Items; item++)
        {
            var s = 0;
            for (var pass = 0; pass < iterations; pass++)
            {
                if (random.NextDouble() < errorP)
                {
                    errors++;
                }
                else if (random.NextDouble() < p)
                {
                    s++;
                    passSuccesses[pass]++;
                }
            }

            successes += s;
            outcomes.Append(item == 0 ? "" : ",").Append("\"item-").Append(item.ToString("000", CultureInfo.InvariantCulture))
                .Append("\":[").Append(s).Append(',').Append(iterations).Append(']');
        }

        outcomes.Append('}');
        var samples = benchmark.Items * iterations;
        var accuracy = (double)successes / samples;
        var errorRate = (double)errors / samples;
        var median = benchmark.LatencyMs / agent.Speed * Math.Exp(0.1 * World.Normal(random));
        var tokens = 300 + 900 * random.NextDouble();
        var costPerTask = agent.CostPerTask * Math.Exp(0.05 * World.Normal(random));
        var speed = Math.Clamp(1 - median / 5_000, 0, 1);
        var efficiency = Math.Clamp(1 - tokens / 2_000, 0, 1);
        var cost = Math.Clamp(1 - costPerTask / 0.03, 0, 1);
        var reliability = 1 - errorRate;
        var perIteration = new StringBuilder("[");
        for (var pass = 0; pass < iterations; pass++)
        {
            perIteration.Append(pass == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $"{{\"iteration\":{pass},\"accuracy\":{(double)passSuccesses[pass] / benchmark.Items:0.####},\"median_latency_ms\":{median * Math.Exp(0.03 * World.Normal(random)):0.##},\"mean_cost_per_task_usd\":{costPerTask:0.######},\"mean_tokens_per_task\":{tokens:0.#},\"error_rate\":{errorRate:0.####}}}");
        }

        perIteration.Append(']');
        var duration = (long)(samples * median);
        var totalCost = (decimal)Math.Round(costPerTask * samples, 8);
        var totalTokens = (long)(tokens * samples);
        var itemOutcomes = outcomes.ToString();
        var metrics = string.Create(CultureInfo.InvariantCulture,
            $"{{\"samples\":{samples},\"accuracy\":{accuracy:0.####},\"error_rate\":{errorRate:0.####},\"median_latency_ms\":{median:0.##},\"p95_latency_ms\":{median * 1.8:0.##},\"mean_tokens_per_task\":{tokens:0.#},\"mean_cost_per_task_usd\":{costPerTask:0.######},\"tokens_used\":{totalTokens},\"total_cost_usd\":{totalCost},\"api_calls_made\":{samples},\"per_iteration\":{perIteration},\"scored_samples\":{samples - errors},\"unscored_samples\":0,\"item_outcomes\":{itemOutcomes}}}");
        return new SyntheticExecution
        {
            ExecutionId = Guid.NewGuid(),
            RunId = Guid.NewGuid(),
            Agent = agent,
            Version = agent.Versions[v],
            Benchmark = benchmark,
            StartedAt = scoredAt.AddMilliseconds(-duration),
            ScoredAt = scoredAt,
            Status = status,
            Iterations = iterations,
            Samples = samples,
            Accuracy = accuracy,
            Speed = speed,
            Efficiency = efficiency,
            Cost = cost,
            Reliability = reliability,
            Overall = accuracy * 0.3 + speed * 0.2 + efficiency * 0.2 + cost * 0.15 + reliability * 0.15,
            ErrorRate = errorRate,
            MedianLatencyMs = median,
            P95LatencyMs = median * 1.8,
            MeanTokensPerTask = tokens,
            MeanCostPerTaskUsd = costPerTask,
            TokensUsed = totalTokens,
            TotalCostUsd = totalCost,
            DurationMs = duration,
            ItemOutcomesJson = itemOutcomes,
            PerIterationJson = perIteration.ToString(),
            MetricsJson = metrics,
        };
    }
}
