using System.CommandLine;
using System.Net;
using BenchMesh.Cli;
using BenchMesh.Cli.Commands;
using BenchMesh.Cli.Gateway;
using BenchMesh.Cli.Rendering;
using Spectre.Console;

// Before anything opens a socket: the socket engine reads these once, at its first socket (SocketEngineDefaults).
SocketEngineDefaults.ApplyToProcess();
return await Cli.RunAsync(args, CliEnvironment.FromProcess());

namespace BenchMesh.Cli
{
    /// <summary>Where the CLI writes and what it reads from its surroundings; tests substitute all of it.</summary>
    public sealed record CliEnvironment(IAnsiConsole Out, IAnsiConsole Error)
    {
        public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

        /// <summary>Where the search for the API key file starts (<see cref="ApiKeySource"/>).</summary>
        public string CurrentDirectory { get; init; } = Environment.CurrentDirectory;

        public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

        /// <summary>Standard input, for commands that read data from it ('-'); tests substitute a reader.</summary>
        public Func<TextReader> OpenStandardInput { get; init; } = () => new StreamReader(Console.OpenStandardInput());

        /// <summary>Replaces the network stack (tests); null uses sockets.</summary>
        public HttpMessageHandler? HttpHandler { get; init; }

        /// <summary>Ctrl+C handling by System.CommandLine; tests turn it off (null) to leave process signals alone.</summary>
        public TimeSpan? ProcessTerminationTimeout { get; init; } = TimeSpan.FromSeconds(2);

        public static CliEnvironment FromProcess() => new(CreateConsole(Console.Out), CreateConsole(Console.Error));

        private static IAnsiConsole CreateConsole(TextWriter writer)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
            if (!console.Profile.Out.IsTerminal)
            {
                // Redirected output has no width; 80 columns would wrap the report tables beyond reading.
                console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 40 ? columns : 160;
            }

            return console;
        }
    }

    /// <summary>The benchmesh command line: options and commands, wired to <see cref="GatewayClient"/>.</summary>
    public static class Cli
    {
        public const string GatewayEnvironmentVariable = "BENCHMESH_GATEWAY_URL";
        public const string DefaultGateway = "http://127.0.0.1:8080";

        private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

        public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken ct = default)
        {
            var root = BuildRootCommand(environment);
            var parseResult = root.Parse(args);
            if (parseResult.Errors.Count > 0)
            {
                foreach (var error in parseResult.Errors)
                {
                    ProblemRenderer.Message(environment.Error, error.Message);
                }

                // The command's full path: 'agent register', not just 'register'.
                var names = new List<string>();
                for (var result = parseResult.CommandResult; result is not null && result.Command != root; result = result.Parent as System.CommandLine.Parsing.CommandResult)
                {
                    names.Insert(0, result.Command.Name);
                }

                environment.Error.WriteLine(names.Count == 0 ? "Run 'benchmesh --help' for usage." : $"Run 'benchmesh {string.Join(' ', names)} --help' for usage.");
                return ExitCodes.Usage;
            }

            var invocation = new InvocationConfiguration
            {
                Output = environment.Out.Profile.Out.Writer,
                Error = environment.Error.Profile.Out.Writer,
                ProcessTerminationTimeout = environment.ProcessTerminationTimeout,
            };
            return await parseResult.InvokeAsync(invocation, ct);
        }

        private static RootCommand BuildRootCommand(CliEnvironment environment)
        {
            var gateway = new Option<string?>("--gateway")
            {
                Description = $"Gateway base URL (default: ${GatewayEnvironmentVariable}, else {DefaultGateway})",
                HelpName = "URL",
                Recursive = true,
            };
            var json = new Option<bool>("--json") { Description = "Print the raw JSON answer instead of tables", Recursive = true };
            var apiKey = new Option<string?>("--api-key")
            {
                Description = $"API key (default: ${ApiKeySource.EnvironmentVariable}, else the nearest {ApiKeySource.KeyFile})",
                HelpName = "KEY",
                Recursive = true,
            };

            var root = new RootCommand("benchmesh: run AI agent benchmarks and read results through the BenchMesh gateway")
            {
                gateway,
                json,
                apiKey,
                RunCommandDefinition(environment, gateway, json),
                LeaderboardCommandDefinition(environment, gateway, json),
                CompareCommandDefinition(environment, gateway, json),
                ResultsCommandDefinition(environment, gateway, json),
                RunsCommandDefinition(environment, gateway, json),
                RegressionsCommandDefinition(environment, gateway, json),
                AgentCommandDefinition(environment, gateway, json),
                SuiteCommandDefinition(environment, gateway, json),
                RegressCommand.Definition(environment),
                StressCommand.Definition(environment, json),
                DemoCommandDefinition(environment, gateway, json),
                CostCommand.Definition((parseResult, command, ct) => InvokeAsync(environment, parseResult, gateway, json, command, ct)),
            };
            return root.ParseNumbersClearly();
        }

        private static Command RunCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var agent = new Option<string>("--agent") { Description = "Agent id", HelpName = "AGENT_ID", Required = true };
            var version = new Option<string?>("--version") { Description = "Agent version (default: the agent's latest)", HelpName = "V" };
            var suite = new Option<string>("--suite") { Description = "Suite id", HelpName = "SUITE_ID", Required = true };
            var iterations = new Option<int?>("--iterations") { Description = "Measured runs per benchmark (≤ 100)", HelpName = "N" };
            var warmup = new Option<int?>("--warmup") { Description = "Warm-up runs per benchmark (≤ 20)", HelpName = "N" };
            var concurrency = new Option<int?>("--concurrency") { Description = "Concurrent calls to the agent (≤ 64)", HelpName = "N" };
            var timeout = new Option<int?>("--timeout")
            {
                Description = $"How long to wait for the run, in seconds (default {RunCommand.DefaultWait.TotalSeconds:0}); also sent as the run's timeout_seconds (≤ 600)",
                HelpName = "SECONDS",
            };
            var failOnRegression = new Option<bool>("--fail-on-regression") { Description = "Exit 2 when the run's version has regressions (default)" };
            var noFailOnRegression = new Option<bool>("--no-fail-on-regression") { Description = "Report regressions but exit 0" };

            foreach (var option in new[] { iterations, warmup, concurrency, timeout })
            {
                NumericOptions.NotNegative(option);
            }

            var command = new Command("run", "Run a suite against an agent, follow its progress, print the report and check for regressions")
            {
                agent, version, suite, iterations, warmup, concurrency, timeout, failOnRegression, noFailOnRegression,
            };
            command.Validators.Add(result =>
            {
                if (result.GetValue(failOnRegression) && result.GetValue(noFailOnRegression))
                {
                    result.AddError("--fail-on-regression and --no-fail-on-regression cannot be used together.");
                }
            });
            command.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                RunCommand.ExecuteAsync(context, new RunArguments(
                    parseResult.GetRequiredValue(agent),
                    parseResult.GetValue(version),
                    parseResult.GetRequiredValue(suite),
                    parseResult.GetValue(iterations),
                    parseResult.GetValue(warmup),
                    parseResult.GetValue(concurrency),
                    parseResult.GetValue(timeout),
                    FailOnRegression: !parseResult.GetValue(noFailOnRegression)), ct), ct));
            return command;
        }

        private static Command LeaderboardCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var category = new Option<string?>("--category") { Description = "overall (every category, the default) or a suite category", HelpName = "C" };
            var metric = new Option<string?>("--metric") { Description = "all (default), accuracy, speed, efficiency, cost, reliability or overall", HelpName = "M" };
            var limit = new Option<int?>("--limit") { Description = "Number of entries, 1-100 (default 20)", HelpName = "N" };
            var groupBy = new Option<string?>("--group-by") { Description = "agent (default) or version: every agent version its own row", HelpName = "G" };
            var status = new Option<string?>("--status") { Description = "all (default, failed executions averaged in as the specification does) or success", HelpName = "S" };
            var command = new Command("leaderboard", "Show the leaderboard (the last 30 days)") { category, metric, limit, groupBy, status };
            command.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                QueryCommands.LeaderboardAsync(context, parseResult.GetValue(category), parseResult.GetValue(metric), parseResult.GetValue(limit), ct,
                    parseResult.GetValue(groupBy), parseResult.GetValue(status)), ct));
            return command;
        }

        private static Command CompareCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var agents = new Argument<string[]>("agents")
            {
                Description = "Two or more agents: AGENT_ID (its latest version on the suite) or AGENT_ID@VERSION",
                HelpName = "AGENT",
                Arity = new ArgumentArity(2, ArgumentArity.OneOrMore.MaximumNumberOfValues),
            };
            var suite = new Option<string>("--suite") { Description = "Suite id", HelpName = "SUITE_ID", Required = true };
            var matrix = new Option<bool>("--matrix") { Description = "Compare every pair of the agents (needed for more than two)" };
            var command = new Command("compare", "Compare agents (or two versions of one) head-to-head on a suite, with significance tests and recommendations")
            {
                agents, suite, matrix,
            };
            command.Validators.Add(result =>
            {
                // Tokens, not GetValue: with too few agents the value cannot be had, and the arity error is reported anyway.
                if (result.GetResult(agents)?.Tokens.Count > 2 && !result.GetValue(matrix))
                {
                    result.AddError("a head-to-head compares two agents: give --matrix to compare every pair of more.");
                }
            });
            command.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                CompareCommand.ExecuteAsync(context, parseResult.GetRequiredValue(agents), parseResult.GetRequiredValue(suite), parseResult.GetValue(matrix), ct), ct));
            return command;
        }

        private static Command ResultsCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var agent = new Option<string>("--agent") { Description = "Agent id", HelpName = "AGENT_ID", Required = true };
            var suite = new Option<string?>("--suite") { Description = "Only this suite", HelpName = "SUITE_ID" };
            var timeframe = new Option<string?>("--timeframe") { Description = "latest (default), all or 30d", HelpName = "latest|all|30d" };
            timeframe.AcceptOnlyFromAmong("latest", "all", "30d");
            var limit = new Option<int?>("--limit") { Description = "Executions per page for all and 30d, 1-500 (default 100)", HelpName = "N" };
            var cursor = new Option<string?>("--cursor") { Description = "The next page: the cursor the previous page printed", HelpName = "CURSOR" };
            var command = new Command("results", "List an agent's benchmark executions") { agent, suite, timeframe, limit, cursor };
            command.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                QueryCommands.ResultsAsync(
                    context, parseResult.GetRequiredValue(agent), parseResult.GetValue(suite), parseResult.GetValue(timeframe),
                    parseResult.GetValue(limit), parseResult.GetValue(cursor), ct), ct));
            return command;
        }

        private static Command RunsCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var agent = new Option<string?>("--agent") { Description = "Only this agent's runs", HelpName = "AGENT_ID" };
            var suite = new Option<string?>("--suite") { Description = "Only this suite's runs", HelpName = "SUITE_ID" };
            var status = new Option<string?>("--status") { Description = "Only runs in this state", HelpName = "queued|running|completed|failed" };
            status.AcceptOnlyFromAmong("queued", "running", "completed", "failed");
            var since = new Option<string?>("--since") { Description = "Requested at or after: 2026-12-01 or 2026-12-01T08:00:00Z", HelpName = "TIME" };
            var until = new Option<string?>("--until") { Description = "Requested before: 2026-12-01 or 2026-12-01T08:00:00Z", HelpName = "TIME" };
            var limit = new Option<int?>("--limit") { Description = "Runs per page, 1-200 (default 50)", HelpName = "N" };
            var cursor = new Option<string?>("--cursor") { Description = "The next page: the cursor the previous page printed", HelpName = "CURSOR" };
            var list = new Command("list", "List runs, newest first") { agent, suite, status, since, until, limit, cursor };
            list.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                QueryCommands.RunsAsync(context, new RunListFilter(
                    parseResult.GetValue(agent), parseResult.GetValue(suite), parseResult.GetValue(status),
                    parseResult.GetValue(since), parseResult.GetValue(until), parseResult.GetValue(limit), parseResult.GetValue(cursor)), ct), ct));
            return new Command("runs", "Benchmark runs") { list };
        }

        private static Command RegressionsCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var agent = new Option<string>("--agent") { Description = "Agent id", HelpName = "AGENT_ID", Required = true };
            var baseline = new Option<string?>("--baseline") { Description = "Baseline version (default: the version before the latest)", HelpName = "V" };
            var threshold = new Option<double?>("--threshold") { Description = "Practical threshold for every metric, in (0, 1): relative on latency, cost and tokens (0.05 = 5%), points on accuracy and error rate (default: each metric's own, e.g. 3% latency, 1 point accuracy)", HelpName = "T" };
            var command = new Command("regressions", "Judge an agent's latest version against its history (or a baseline version); exit 2 when it regressed") { agent, baseline, threshold };
            command.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                QueryCommands.RegressionsAsync(context, parseResult.GetRequiredValue(agent), parseResult.GetValue(baseline), parseResult.GetValue(threshold), ct), ct));
            return command;
        }

        private static Command AgentCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var file = new Option<string?>("--file") { Description = "The registration in the API's JSON (POST /agents), as a .json or .yaml file", HelpName = "FILE" };
            var name = new Option<string?>("--name") { Description = "Agent name, unique in its workspace", HelpName = "NAME" };
            var workspace = new Option<string?>("--workspace") { Description = "Workspace id (default: the API key's workspace)", HelpName = "WORKSPACE" };
            var protocol = new Option<string?>("--protocol") { Description = "openai-chat, http-json or process", HelpName = "PROTOCOL" };
            var endpoint = new Option<string?>("--endpoint") { Description = "The agent's URL", HelpName = "URL" };
            var command = new Option<string?>("--command") { Description = "process agents: the command as a JSON array of strings", HelpName = "JSON" };
            var processMode = new Option<string?>("--process-mode") { Description = "process agents: per_call or json_lines", HelpName = "MODE" };
            var description = new Option<string?>("--description") { Description = "Free text", HelpName = "TEXT" };
            var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Read the agent's API key from this environment variable", HelpName = "VAR" };
            var apiKeyStdin = new Option<bool>("--api-key-stdin") { Description = "Read the agent's API key from standard input" };
            var inputPrice = new Option<decimal?>("--input-price") { Description = "USD per million input tokens", HelpName = "USD" };
            var outputPrice = new Option<decimal?>("--output-price") { Description = "USD per million output tokens", HelpName = "USD" };
            var callPrice = new Option<decimal?>("--call-price") { Description = "USD per call", HelpName = "USD" };
            var version = new Option<string?>("--version") { Description = "A first version to register", HelpName = "V" };
            var modelConfig = new Option<string?>("--model-config") { Description = "The version's model configuration: a JSON object, or @FILE (.json or .yaml)", HelpName = "JSON|@FILE" };

            var scheduleMonthly = new Option<bool>("--schedule-monthly") { Description = "Also create the suggested schedule (1st and 15th of each month) for --suite" };
            var scheduleSuite = new Option<string?>("--suite") { Description = "with --schedule-monthly: the suite the schedule runs", HelpName = "SUITE_ID" };

            var flags = new Option[] { name, workspace, protocol, endpoint, command, processMode, description, inputPrice, outputPrice, callPrice, version, modelConfig };
            var register = new Command("register", "Register an agent (POST /agents) from flags or from a JSON or YAML file; prints its id")
            {
                file, name, workspace, protocol, endpoint, command, processMode, description, apiKeyEnv, apiKeyStdin,
                inputPrice, outputPrice, callPrice, version, modelConfig, scheduleMonthly, scheduleSuite,
            };
            foreach (var price in new[] { inputPrice, outputPrice, callPrice })
            {
                NumericOptions.NotNegative(price);
            }

            register.Validators.Add(result =>
            {
                if (result.GetValue(file) is not null)
                {
                    if (flags.FirstOrDefault(option => result.GetResult(option) is not null) is { } flag)
                    {
                        result.AddError($"--file cannot be combined with {flag.Name}: the file holds the registration (only --api-key-env or --api-key-stdin may be added).");
                    }
                }
                else
                {
                    foreach (var required in new[] { name, protocol })
                    {
                        if (result.GetValue(required) is null)
                        {
                            result.AddError($"{required.Name} is required (or give --file).");
                        }
                    }

                    if (result.GetValue(endpoint) is null && result.GetValue(command) is null)
                    {
                        result.AddError("--endpoint (or --command, for a process agent) is required (or give --file).");
                    }

                    if (result.GetValue(modelConfig) is not null && result.GetValue(version) is null)
                    {
                        result.AddError("--model-config belongs to a version: give --version too.");
                    }
                }

                if (result.GetValue(apiKeyEnv) is not null && result.GetValue(apiKeyStdin))
                {
                    result.AddError("--api-key-env and --api-key-stdin cannot be used together.");
                }

                if (result.GetValue(scheduleMonthly) != (result.GetValue(scheduleSuite) is not null))
                {
                    result.AddError("--schedule-monthly and --suite go together: the schedule runs that suite.");
                }
                else if (result.GetValue(scheduleMonthly) && result.GetValue(file) is null && result.GetValue(version) is null)
                {
                    result.AddError("--schedule-monthly needs a version to run: give --version too.");
                }
            });
            register.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                AgentRegisterCommand.ExecuteAsync(context, environment, new AgentRegisterArguments
                {
                    File = parseResult.GetValue(file),
                    Name = parseResult.GetValue(name),
                    Workspace = parseResult.GetValue(workspace),
                    Protocol = parseResult.GetValue(protocol),
                    Endpoint = parseResult.GetValue(endpoint),
                    Command = parseResult.GetValue(command),
                    ProcessMode = parseResult.GetValue(processMode),
                    Description = parseResult.GetValue(description),
                    ApiKeyEnv = parseResult.GetValue(apiKeyEnv),
                    ApiKeyStdin = parseResult.GetValue(apiKeyStdin),
                    InputPricePerMillion = parseResult.GetValue(inputPrice),
                    OutputPricePerMillion = parseResult.GetValue(outputPrice),
                    PricePerCall = parseResult.GetValue(callPrice),
                    Version = parseResult.GetValue(version),
                    ModelConfig = parseResult.GetValue(modelConfig),
                    ScheduleSuiteId = parseResult.GetValue(scheduleMonthly) ? parseResult.GetValue(scheduleSuite) : null,
                }, ct), ct));
            return new Command("agent", "Manage agents") { register };
        }

        private static Command SuiteCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var file = new Option<string>("--file") { Description = "The suite in the API's JSON (POST /suites), as a .json or .yaml file", HelpName = "FILE", Required = true };
            var dataset = new Option<string?>("--dataset") { Description = "Items to put in one benchmark's dataset.items (docs/datasets.md)", HelpName = "FILE" };
            var format = new Option<string?>("--format") { Description = "Format of --dataset (default: from its extension, .jsonl or .csv)", HelpName = string.Join('|', BenchMesh.Datasets.DatasetFormats.Names) };
            format.AcceptOnlyFromAmong([.. BenchMesh.Datasets.DatasetFormats.Names]);
            var map = new Option<string?>("--map") { Description = "Fields or columns of the items, e.g. input=question,expected=answer,id=qid", HelpName = "KEY=FIELD,..." };
            var template = new Option<string?>("--template") { Description = "promptfoo: the prompt, with {{var}} placeholders filled from each test's vars", HelpName = "TEXT" };
            var benchmark = new Option<string?>("--benchmark") { Description = "The benchmark that gets the items: its name, benchmark_id or 0-based index (default: the only one)", HelpName = "NAME|INDEX" };
            var create = new Command("create", "Create a suite (POST /suites) from a JSON or YAML file, optionally with items imported from a data file; prints the ids")
            {
                file, dataset, format, map, template, benchmark,
            };
            create.Validators.Add(result =>
            {
                if (result.GetValue(dataset) is null && new Option[] { format, map, template, benchmark }.FirstOrDefault(o => result.GetResult(o) is not null) is { } option)
                {
                    result.AddError($"{option.Name} applies to --dataset, which is not given.");
                }
            });
            create.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                SuiteCreateCommand.ExecuteAsync(context, new SuiteCreateArguments(
                    parseResult.GetRequiredValue(file),
                    parseResult.GetValue(dataset),
                    parseResult.GetValue(format),
                    parseResult.GetValue(map),
                    parseResult.GetValue(template),
                    parseResult.GetValue(benchmark)), ct), ct));
            return new Command("suite", "Manage suites") { create };
        }

        private static Command DemoCommandDefinition(CliEnvironment environment, Option<string?> gateway, Option<bool> json)
        {
            var sampleAgents = new Option<string>("--sample-agents")
            {
                Description = "Base URL of the SampleAgents service (default http://127.0.0.1:5161)",
                HelpName = "URL",
                DefaultValueFactory = _ => "http://127.0.0.1:5161",
            };
            var command = new Command("demo", "Register the sample agents and suite, run two versions, show the leaderboard and the regression") { sampleAgents };
            command.SetAction((parseResult, ct) => InvokeAsync(environment, parseResult, gateway, json, context =>
                DemoCommand.ExecuteAsync(context, parseResult.GetRequiredValue(sampleAgents), ct), ct));
            return command;
        }

        /// <summary>Builds the client for one command and turns every failure into a readable message and an exit code.</summary>
        private static async Task<int> InvokeAsync(
            CliEnvironment environment, ParseResult parseResult, Option<string?> gatewayOption, Option<bool> jsonOption,
            Func<CommandContext, Task<int>> command, CancellationToken ct)
        {
            var gatewayText = new[] { parseResult.GetValue(gatewayOption), environment.GetEnvironmentVariable(GatewayEnvironmentVariable), DefaultGateway }
                .First(candidate => !string.IsNullOrWhiteSpace(candidate))!;
            if (!Uri.TryCreate(gatewayText, UriKind.Absolute, out var gatewayUri) || gatewayUri.Scheme is not ("http" or "https"))
            {
                ProblemRenderer.Message(environment.Error, $"the gateway URL '{gatewayText}' is not an absolute http(s) URL.");
                return ExitCodes.Usage;
            }

            // A base address without a trailing slash would drop its last path segment when combined.
            var baseAddress = new Uri(gatewayUri.AbsoluteUri.EndsWith('/') ? gatewayUri.AbsoluteUri : gatewayUri.AbsoluteUri + "/");
            using var http = environment.HttpHandler is { } handler
                ? new HttpClient(handler, disposeHandler: false)
                : new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) });
            http.BaseAddress = baseAddress;
            http.Timeout = RequestTimeout;
            // --api-key is recursive on the root command, so every command has it; found by name to spare each definition a parameter.
            var key = ApiKeySource.Resolve(parseResult.GetValue<string?>("--api-key"), environment.GetEnvironmentVariable, environment.CurrentDirectory);
            if (key is not null)
            {
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);
            }

            var context = new CommandContext(new GatewayClient(http), environment.Out, environment.Error, parseResult.GetValue(jsonOption), environment.PollInterval);

            try
            {
                return await command(context);
            }
            catch (ApiProblemException ex)
            {
                ProblemRenderer.Render(environment.Error, ex);
                if (ex.StatusCode == HttpStatusCode.Unauthorized)
                {
                    environment.Error.WriteLine(key is null
                        ? $"No API key was sent. Give one with {ApiKeySource.Ways}."
                        : $"The gateway refused the API key from {key.Origin}. Give a valid one with {ApiKeySource.Ways}.");
                }

                return ex.StatusCode switch
                {
                    HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => ExitCodes.Unreachable,
                    >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError => ExitCodes.Usage,
                    _ => ExitCodes.Failed,
                };
            }
            catch (GatewayUnreachableException ex)
            {
                ProblemRenderer.Message(environment.Error, ex.Message);
                environment.Error.WriteLine($"Is the platform running? Set --gateway or ${GatewayEnvironmentVariable}.");
                return ExitCodes.Unreachable;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                ProblemRenderer.Message(environment.Error, "cancelled.");
                return ExitCodes.Failed;
            }
            catch (Exception ex)
            {
                // Anything else is a bug or an unexpected answer; a message helps more than a stack trace.
                ProblemRenderer.Message(environment.Error, ex.Message);
                return ExitCodes.Failed;
            }
        }
    }
}
