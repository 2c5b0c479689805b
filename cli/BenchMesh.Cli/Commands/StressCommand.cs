using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using BenchMesh.Cli.Rendering;
using BenchMesh.LoadEngine;
using BenchMesh.LoadEngine.BreakingPoints;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Scheduling;
using BenchMesh.LoadEngine.Thresholds;
using BenchMesh.LoadEngine.Transport;
using Spectre.Console;

namespace BenchMesh.Cli.Commands;

/// <summary>
/// <c>benchmesh stress</c>: runs the load engine locally against a URL (no gateway needed) and prints a summary, or
/// with --json one JSON object. Exit 0 when every threshold passed (and for a completed breaking-point search),
/// 5 when a threshold failed or aborted the run, 3 for a bad command line, 1 when the run could not be made.
/// </summary>
public static class StressCommand
{
    private static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(10);

    /// <summary>The command, its options and its action.</summary>
    public static Command Definition(CliEnvironment environment, Option<bool> json)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var url = new Option<string>("--url") { Description = "Target URL (for openai-chat, the endpoint; /v1/chat/completions is added)", HelpName = "URL", Required = true };
        var protocol = new Option<string>("--protocol") { Description = "raw (GET), http-json or openai-chat (POST bodies)", HelpName = "raw|http-json|openai-chat", DefaultValueFactory = _ => LoadProtocols.Raw };
        protocol.AcceptOnlyFromAmong([.. LoadProtocols.All]);
        var executor = new Option<string>("--executor") { Description = "Workload model (arrival rate = open model, concurrency = closed model)", HelpName = string.Join('|', Executors.Names), DefaultValueFactory = _ => Executors.NameOf(ExecutorKind.ConstantArrivalRate) };
        executor.AcceptOnlyFromAmong([.. Executors.Names]);
        var rate = new Option<double?>("--rate") { Description = "Requests per second (constant-arrival-rate; the first step of --breaking-point)", HelpName = "N" };
        var duration = new Option<string>("--duration") { Description = "How long a constant executor runs, or each --breaking-point step (default 10s)", HelpName = "DURATION", DefaultValueFactory = _ => "10s" };
        var connections = new Option<int>("--connections") { Description = "TCP connections at most (default 50)", HelpName = "N", DefaultValueFactory = _ => 50 };
        var concurrency = new Option<int?>("--concurrency") { Description = "Virtual users of constant-concurrency (default: --connections)", HelpName = "N" };
        var stages = new Option<string?>("--stages") { Description = "Stages of a ramping executor: duration:target,... e.g. 10s:100,30s:500", HelpName = "STAGES" };
        var start = new Option<double>("--start") { Description = "Where a ramp starts: a rate, or users (default 0)", HelpName = "N" };
        var thresholds = new Option<string[]>("--threshold") { Description = "Pass/fail criterion, repeatable: p99<500ms, error_rate<1%, achieved_rate>=0.98*target[,abort_on_fail][,grace=5s][,window=5s]", HelpName = "EXPR" };
        var breakingPoint = new Option<bool>("--breaking-point") { Description = "Step the arrival rate from --rate by --step-rate up to --max-rate until a threshold fails" };
        var stepRate = new Option<double?>("--step-rate") { Description = "What each breaking-point step adds (default: --rate)", HelpName = "N" };
        var maxRate = new Option<double?>("--max-rate") { Description = "The highest breaking-point step (default: 10 × --rate)", HelpName = "N" };
        var refine = new Option<int>("--refine") { Description = "Bisections between the last passing and first failing step (default 0)", HelpName = "N" };
        var maxRequests = new Option<long?>("--max-requests") { Description = "Requests at most (default 10,000,000)", HelpName = "N" };
        var maxInFlight = new Option<int?>("--max-in-flight") { Description = "Open model: requests in flight at most; more are dropped (default 10,000)", HelpName = "N" };
        var timeout = new Option<string>("--timeout") { Description = "Request timeout (default 30s)", HelpName = "DURATION", DefaultValueFactory = _ => "30s" };
        var inputs = new Option<string[]>("--input") { Description = "Input text for http-json/openai-chat bodies, repeatable (used in turn)", HelpName = "TEXT" };
        var inputChars = new Option<int?>("--input-chars") { Description = "Pad or cut every input to this many characters", HelpName = "N" };
        var transport = new Option<string>("--transport") { Description = "How requests are sent: auto (epoll on Linux, else socket, for http://; httpclient for https://), epoll (BenchMesh's HTTP/1.1 client on its own epoll loop, Linux, http:// only), socket (the same client on System.Net.Sockets, http:// only) or httpclient (SocketsHttpHandler)", HelpName = string.Join('|', Transports.Names), DefaultValueFactory = _ => Transports.NameOf(TransportKind.Auto) };
        transport.AcceptOnlyFromAmong([.. Transports.Names]);

        url.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                result.AddError($"--url: '{text}' is not an absolute http(s) URL.");
            }
        });
        foreach (var option in new[] { duration, timeout })
        {
            option.Validators.Add(result =>
            {
                var text = result.GetValueOrDefault<string>();
                if (!DurationText.TryParse(text, out var value) || value <= TimeSpan.Zero)
                {
                    result.AddError($"{option.Name}: '{text}' is not a positive duration (e.g. 500ms, 10s, 2m).");
                }
            });
        }

        thresholds.Validators.Add(result =>
        {
            foreach (var expression in result.GetValueOrDefault<string[]>() ?? [])
            {
                try
                {
                    Threshold.Parse(expression);
                }
                catch (ThresholdFormatException ex)
                {
                    result.AddError(ex.Message);
                }
            }
        });
        stages.Validators.Add(result =>
        {
            try
            {
                Stage.ParseList(result.GetValueOrDefault<string>() ?? "");
            }
            catch (FormatException ex)
            {
                result.AddError($"--stages: {ex.Message}");
            }
        });

        var command = new Command("stress", "Run a load test locally against a URL: open or closed model, honest latency, thresholds, breaking point")
        {
            url, protocol, executor, rate, duration, connections, concurrency, stages, start, thresholds, breakingPoint, stepRate, maxRate, refine,
            maxRequests, maxInFlight, timeout, inputs, inputChars, transport,
        };
        command.Validators.Add(result =>
        {
            // Whether a number option was given, not its value: asking for the value of one that did not convert
            // (--rate abc) throws, and its own error (NumericOptions) is the one to report.
            bool Given(Option option) => result.GetResult(option) is not null;

            var kind = ExecutorOf(result.GetValue(executor));
            var ramping = kind is ExecutorKind.RampingArrivalRate or ExecutorKind.RampingConcurrency;
            if (ramping && result.GetValue(stages) is null)
            {
                result.AddError($"--executor {Executors.NameOf(kind)} needs --stages, e.g. --stages 10s:100,20s:500.");
            }

            if (!ramping && result.GetValue(stages) is not null)
            {
                result.AddError("--stages is only for the ramping executors.");
            }

            if (kind == ExecutorKind.ConstantArrivalRate && !Given(rate))
            {
                result.AddError("--executor constant-arrival-rate needs --rate.");
            }

            if (result.GetValue(breakingPoint) && kind != ExecutorKind.ConstantArrivalRate)
            {
                result.AddError("--breaking-point steps a constant arrival rate: leave --executor at constant-arrival-rate.");
            }

            if (!result.GetValue(breakingPoint) && (Given(stepRate) || Given(maxRate) || Given(refine)))
            {
                result.AddError("--step-rate, --max-rate and --refine go with --breaking-point.");
            }
        });

        command.SetAction(async (parseResult, ct) =>
        {
            var kind = ExecutorOf(parseResult.GetRequiredValue(executor));
            var load = new LoadOptions
            {
                Url = new Uri(parseResult.GetRequiredValue(url)),
                Executor = kind,
                Rate = parseResult.GetValue(rate) ?? 0,
                Duration = DurationText.Parse(parseResult.GetRequiredValue(duration)),
                Connections = parseResult.GetValue(connections),
                Concurrency = parseResult.GetValue(concurrency) ?? 0,
                StartTarget = parseResult.GetValue(start),
                Stages = parseResult.GetValue(stages) is { } s ? Stage.ParseList(s) : [],
                Thresholds = [.. (parseResult.GetValue(thresholds) ?? []).Select(Threshold.Parse)],
                RequestTimeout = DurationText.Parse(parseResult.GetRequiredValue(timeout)),
                Transport = Transports.TryParse(parseResult.GetRequiredValue(transport), out var how) ? how : TransportKind.Auto,
                Request = new RequestSpec
                {
                    Protocol = parseResult.GetRequiredValue(protocol),
                    Inputs = parseResult.GetValue(inputs) ?? [],
                    InputChars = parseResult.GetValue(inputChars),
                },
            };
            if (parseResult.GetValue(maxRequests) is { } most)
            {
                load = load with { MaxRequests = most };
            }

            if (parseResult.GetValue(maxInFlight) is { } pool)
            {
                load = load with { MaxInFlight = pool };
            }

            BreakingPointOptions? search = null;
            if (parseResult.GetValue(breakingPoint))
            {
                var first = load.Rate;
                search = new BreakingPointOptions
                {
                    Load = load with { Thresholds = [] },
                    StartRate = first,
                    StepRate = parseResult.GetValue(stepRate) ?? first,
                    MaxRate = parseResult.GetValue(maxRate) ?? 10 * first,
                    StepDuration = load.Duration,
                    Refinements = parseResult.GetValue(refine),
                    Thresholds = load.Thresholds,
                };
            }

            return await ExecuteAsync(environment, load, search, parseResult.GetValue(json), ct);
        });
        return command;
    }

    /// <summary>Runs the load (or the breaking-point search) and reports it.</summary>
    public static async Task<int> ExecuteAsync(CliEnvironment environment, LoadOptions load, BreakingPointOptions? search, bool json, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(load);
        var problems = search?.Validate() ?? load.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                ProblemRenderer.Message(environment.Error, problem);
            }

            environment.Error.WriteLine("Run 'benchmesh stress --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            if (search is null)
            {
                var result = await LoadGenerator.RunAsync(load, ct);
                StressReport.Write(environment.Out, result, null, json);
                return result.ThresholdsPassed ? ExitCodes.Success : ExitCodes.ThresholdsFailed;
            }

            if (!json)
            {
                environment.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Searching for the breaking point: {search.StartRate} req/s and up, {search.StepDuration.TotalSeconds:0.#}s a step..."));
            }

            var found = await BreakingPointSearch.RunAsync(search, ct);
            StressReport.Write(environment.Out, found.LastRun, found, json);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ProblemRenderer.Message(environment.Error, "cancelled.");
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            // A bug or an unusable target; a message helps more than a stack trace (as for the gateway commands).
            ProblemRenderer.Message(environment.Error, ex.Message);
            return ExitCodes.Failed;
        }
    }

    /// <summary>The executor named (validators may see the option before its default is applied: null is the default).</summary>
    private static ExecutorKind ExecutorOf(string? name) =>
        name is not null && Executors.TryParse(name, out var kind) ? kind : ExecutorKind.ConstantArrivalRate;
}
