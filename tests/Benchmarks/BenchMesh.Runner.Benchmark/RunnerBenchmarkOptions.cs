using System.CommandLine;
using System.Globalization;
using BenchMesh.Benchmarks.Common;
using BenchMesh.FaultInjection;

/// <summary>The command line (Program.cs and <c>--help</c> list it).</summary>
internal sealed record RunnerBenchmarkOptions(Uri Url, int[] Concurrency, double Seconds, int? Calls, string Path, InfrastructurePorts Ports)
{
    /// <summary>The --path that measures a real worker (WorkerPath.cs) instead of the executor in this process.</summary>
    public const string WorkerPath = "worker";

    /// <summary>The socket path over .NET's sockets instead of the transport's event loop (for comparison).</summary>
    public const string DotNetSocketsPath = "dotnet-sockets";

    public static RunnerBenchmarkOptions? ParseOrExit(string[] args, out int exitCode)
    {
        var commandLine = new BenchmarkCommandLine("The runner's hot path on one agent: calls/s and the samples' latency (docs/timing.md).");
        var url = commandLine.Url("url", "http://127.0.0.1:8081/", "The agent (http-json)");
        var concurrency = commandLine.Add(new Option<int[]>("--concurrency")
        {
            Description = "Concurrencies to measure, comma-separated",
            HelpName = "C,...",
            DefaultValueFactory = _ => [1, 8, 32, 64],
            CustomParser = result =>
            {
                var values = result.Tokens[0].Value.Split(',');
                if (values.All(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c >= 1))
                {
                    return [.. values.Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
                }

                result.AddError("--concurrency must be whole numbers ≥ 1, comma-separated");
                return [];
            },
        });
        var seconds = commandLine.Add(new Option<double>("--seconds") { Description = "Length of each measurement", HelpName = "S", DefaultValueFactory = _ => 5 });
        var calls = commandLine.Add(new Option<int?>("--calls") { Description = "Measured calls instead of --seconds", HelpName = "N" });
        calls.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--calls must be a whole number ≥ 1");
            }
        });
        var path = commandLine.Text("path", "socket", "What is measured", "socket|dotnet-sockets|httpclient|none|worker");
        path.AcceptOnlyFromAmong("socket", DotNetSocketsPath, "httpclient", "none", WorkerPath);
        var ports = InfrastructurePorts.Options(commandLine, new InfrastructurePorts(23432, 23379, 23672, 23673));
        return commandLine.ParseOrExit(args, parsed =>
        {
            var options = new RunnerBenchmarkOptions(
                parsed.GetValue(url)!, parsed.GetValue(concurrency)!, parsed.GetValue(seconds), parsed.GetValue(calls), parsed.GetValue(path)!, ports(parsed));
            return (options, options.Path == WorkerPath ? options.Ports.Validate() : null);
        }, out exitCode);
    }
}
