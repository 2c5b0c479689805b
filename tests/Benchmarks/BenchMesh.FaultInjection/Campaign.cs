using System.Diagnostics;
using Npgsql;

namespace BenchMesh.FaultInjection;

/// <summary>
/// The runs: one clean run first (the reference, and proof that the checks hold without a fault), then for each fault
/// <c>repeats</c> runs with the fault injected mid-run. Runs go one at a time; each has its own agent (and tag), so its
/// agent calls are counted apart even when a run that never completed goes on in the background.
/// </summary>
public sealed class Campaign(
    CampaignOptions options, BenchMeshApi api, PythonAgent agent, FaultInjector injector, StoredResults results,
    ServiceFleet fleet, HttpClient http, TextWriter output)
{
    public const string CleanRow = "none (clean run)";

    public async Task<IReadOnlyList<FaultSummary>> RunAsync(CancellationToken ct)
    {
        var suite = await api.CreateSuiteAsync(options.Benchmarks, options.Items, ct);
        var random = new Random(options.Seed);
        var summaries = new List<FaultSummary> { FaultSummary.From(CleanRow, [await RunOnceAsync(suite, null, 0, random, ct)]) };
        foreach (var fault in options.Faults)
        {
            var outcomes = new List<RunOutcome>();
            for (var repeat = 1; repeat <= options.Repeats; repeat++)
            {
                outcomes.Add(await RunOnceAsync(suite, fault, repeat, random, ct));
                var restarted = await fleet.EnsureHealthyAsync(http, ct);
                if (restarted.Count > 0)
                {
                    output.WriteLine($"      (exited on their own and started again: {string.Join(", ", restarted)})");
                }
            }

            summaries.Add(FaultSummary.From(fault.Name(), outcomes));
        }

        return summaries;
    }

    private async Task<RunOutcome> RunOnceAsync(SuiteUnderTest suite, FaultKind? fault, int repeat, Random random, CancellationToken ct)
    {
        var tag = fault is { } f ? $"{f.Name()}-{repeat}" : "clean";
        var agentId = await api.CreateAgentAsync(tag, agent.EndpointFor(tag), ct);
        var started = Stopwatch.GetTimestamp();
        var runId = await api.StartRunAsync(agentId, suite.SuiteId, options.Warmups, options.Iterations, ct);
        bool TimedOut() => Stopwatch.GetElapsedTime(started) > options.RunTimeout;

        InjectedFault? injected = null;
        var when = "";
        if (fault is { } kind)
        {
            // Mid-run: at a point drawn between 20 % and 80 % of the run's agent calls (seeded), or, for Scoring, as soon
            // as a benchmark has made its last call (its result is on its way to Scoring).
            var fraction = 0.2 + (0.6 * random.NextDouble());
            var calls = await WaitForTriggerAsync(kind, tag, runId, fraction, TimedOut, ct);
            when = $"at {100.0 * calls / options.ExpectedCallsPerRun:0} % of the calls";
            injected = await injector.InjectAsync(kind, repeat, ct);
        }

        RunState? state = null;
        long? finishedAt = null;
        while (!TimedOut())
        {
            state = await api.GetRunAsync(runId, ct);
            if (state is { IsFinal: true })
            {
                finishedAt = Stopwatch.GetTimestamp();
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }

        var made = (await agent.CallsAsync(http, tag, ct)).Values.Sum();
        var (executions, samples) = await ReadStoredAsync(runId, ct);
        var ledger = SampleLedger.Check(suite.BenchmarkIds, options.Items, options.Iterations, executions, samples);
        // Recovery: from the fault's end to the moment the run was seen complete; 0 when it completed during the fault.
        var recovery = finishedAt is { } done && injected is not null
            ? TimeSpan.FromTicks(Math.Max(0, Stopwatch.GetElapsedTime(injected.EndedAt, done).Ticks))
            : (TimeSpan?)null;
        var outcome = new RunOutcome(fault, finishedAt is null ? "timed out" : state!.Status, ledger, made, options.ExpectedCallsPerRun,
            recovery, finishedAt is { } end ? Stopwatch.GetElapsedTime(started, end) : null);

        var name = fault is { } named ? $"{named.Name()} {repeat}/{options.Repeats}" : CleanRow;
        var error = state?.FirstError is { } message ? $"; first error: {Shorten(message)}" : "";
        output.WriteLine($"  {name}: {(injected is null ? "" : $"{injected.Description} {when}; ")}run {outcome.FinalStatus}"
            + $"{(outcome.Duration is { } d ? $" in {d.TotalSeconds:0.0} s" : $" after {options.RunTimeout.TotalSeconds:0} s")}"
            + $"{(recovery is { } r ? $" ({r.TotalSeconds:0.0} s after the fault)" : "")}; samples lost {ledger.Lost}, twice {ledger.CountedTwice}, "
            + $"executions {executions.Count}/{suite.BenchmarkIds.Count}; agent calls {made}/{options.ExpectedCallsPerRun}{error}");
        return outcome;
    }

    /// <summary>Waits for the point to inject at; returns the run's agent calls then. Gives up when the run times out or ends.</summary>
    private async Task<int> WaitForTriggerAsync(FaultKind kind, string tag, Guid runId, double fraction, Func<bool> timedOut, CancellationToken ct)
    {
        var polls = 0;
        while (true)
        {
            var calls = await agent.CallsAsync(http, tag, ct);
            var reached = kind == FaultKind.ScoringKill
                ? calls.Values.DefaultIfEmpty(0).Max() >= options.ExpectedCallsPerBenchmark
                : calls.Values.Sum() >= fraction * options.ExpectedCallsPerRun;
            // Every 2 s, whether the run ended before the point (the fault then hits the next quiet moment: reported).
            if (reached || timedOut() || (++polls % 20 == 0 && await api.GetRunAsync(runId, ct) is { IsFinal: true }))
            {
                return calls.Values.Sum();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    /// <summary>The run's stored executions and samples; waits for the database should a fault have left it starting.</summary>
    private async Task<(IReadOnlyList<Guid>, IReadOnlyList<StoredSample>)> ReadStoredAsync(Guid runId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await results.ReadAsync(runId, ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidCatalogName)
            {
                // Scoring never got to create its tables: nothing was stored.
                return ([], []);
            }
            catch (NpgsqlException) when (attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..157] + "...";
}
