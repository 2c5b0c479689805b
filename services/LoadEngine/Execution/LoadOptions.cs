using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Scheduling;
using BenchMesh.LoadEngine.Thresholds;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>
/// One bounded run: where, what, which workload model, for how long and how many requests at most, and the
/// thresholds it is judged by. <see cref="Validate"/> says what is wrong before anything is sent.
/// </summary>
public sealed record LoadOptions
{
    /// <summary>The most requests a run may make, whatever it asks for.</summary>
    public const long RequestCap = 100_000_000;

    /// <summary>The target URL (for openai-chat, the agent's endpoint; the chat completions path is added).</summary>
    public required Uri Url { get; init; }

    /// <summary>What each request carries.</summary>
    public RequestSpec Request { get; init; } = new();

    /// <summary>The workload model.</summary>
    public ExecutorKind Executor { get; init; } = ExecutorKind.ConstantArrivalRate;

    /// <summary>Requests per second (constant-arrival-rate).</summary>
    public double Rate { get; init; }

    /// <summary>Virtual users (constant-concurrency); 0 means one per connection.</summary>
    public int Concurrency { get; init; }

    /// <summary>How long a constant executor runs; the ramping ones run as long as their stages.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where a ramp starts (a rate, or a number of users).</summary>
    public double StartTarget { get; init; }

    /// <summary>The stages of a ramping executor.</summary>
    public IReadOnlyList<Stage> Stages { get; init; } = [];

    /// <summary>TCP connections to the target at most (the transport's pool; SocketsHttpHandler.MaxConnectionsPerServer).</summary>
    public int Connections { get; init; } = 50;

    /// <summary>
    /// How requests reach the target: <see cref="TransportKind.Auto"/> (the default) is BenchMesh's HTTP/1.1 client on its
    /// own epoll loop for http:// on Linux (on System.Net.Sockets elsewhere) and SocketsHttpHandler for https://;
    /// <see cref="TransportKind.Epoll"/>, <see cref="TransportKind.Socket"/> or <see cref="TransportKind.HttpClient"/>
    /// force one (the first two take http:// only).
    /// </summary>
    public TransportKind Transport { get; init; } = TransportKind.Auto;

    /// <summary>Opens the run's connections in place of the engine (the Stress service's outbound guard); null: the engine connects.</summary>
    public TargetConnector? Connector { get; init; }

    /// <summary>
    /// With <see cref="Connector"/>, the same check as addresses only (the Stress service's outbound guard): the epoll
    /// transport connects itself to the addresses it returns; null: it uses the connector (see <see cref="TargetResolver"/>).
    /// </summary>
    public TargetResolver? Resolver { get; init; }

    /// <summary>Requests at most, whatever the schedule says.</summary>
    public long MaxRequests { get; init; } = 10_000_000;

    /// <summary>
    /// Open model: requests in flight at most (sent or waiting for a connection). A request due while the pool is full
    /// is not sent and counts as dropped, as k6's dropped_iterations.
    /// </summary>
    public int MaxInFlight { get; init; } = 10_000;

    /// <summary>Open model: a request sent more than this after its intended start counts as late.</summary>
    public TimeSpan LateTolerance { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A request not answered in this time fails as a timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After the schedule ends, how long requests in flight may still finish; those still running are interrupted.</summary>
    public TimeSpan GracefulStop { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pass/fail criteria; those with abort_on_fail also stop the run early.</summary>
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];

    /// <summary>How long the run's schedule lasts.</summary>
    public TimeSpan ScheduleDuration => Executor is ExecutorKind.RampingArrivalRate or ExecutorKind.RampingConcurrency
        ? TimeSpan.FromTicks(Stages.Sum(s => s.Duration.Ticks))
        : Duration;

    /// <summary>The open model's plan (null for the closed model).</summary>
    public ArrivalSchedule? ArrivalSchedule() => Executor switch
    {
        ExecutorKind.ConstantArrivalRate => Scheduling.ArrivalSchedule.Constant(Rate, Duration),
        ExecutorKind.RampingArrivalRate => Scheduling.ArrivalSchedule.Ramping(StartTarget, Stages),
        _ => null,
    };

    /// <summary>The closed model's plan (null for the open model).</summary>
    public ConcurrencySchedule? ConcurrencySchedule() => Executor switch
    {
        ExecutorKind.ConstantConcurrency => Scheduling.ConcurrencySchedule.Constant(Concurrency > 0 ? Concurrency : Connections, Duration),
        ExecutorKind.RampingConcurrency => Scheduling.ConcurrencySchedule.Ramping((int)Math.Round(StartTarget), Stages),
        _ => null,
    };

    /// <summary>Everything wrong with these options, one message each; empty when they can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"the URL '{Url}' is not an absolute http(s) URL.");
        }
        else if (Transport is TransportKind.Socket or TransportKind.Epoll && Url.Scheme != Uri.UriSchemeHttp)
        {
            problems.Add($"the {Transports.NameOf(Transport)} transport speaks plain http:// only; use transport auto or httpclient for https://.");
        }

        if (!Enum.IsDefined(Transport))
        {
            problems.Add($"unknown transport '{Transport}'; use one of {string.Join(", ", Transports.Names)}.");
        }

        if (!LoadProtocols.All.Contains(Request.Protocol))
        {
            problems.Add($"unknown protocol '{Request.Protocol}'; use one of {string.Join(", ", LoadProtocols.All)}.");
        }

        switch (Executor)
        {
            case ExecutorKind.ConstantArrivalRate when !(Rate > 0 && double.IsFinite(Rate)):
                problems.Add("constant-arrival-rate needs a rate above 0 requests per second.");
                break;
            case ExecutorKind.RampingArrivalRate or ExecutorKind.RampingConcurrency when Stages.Count == 0:
                problems.Add($"{Executors.NameOf(Executor)} needs stages, e.g. 10s:100,20s:500.");
                break;
            case ExecutorKind.RampingArrivalRate or ExecutorKind.RampingConcurrency when Stages.Any(s => s.Duration <= TimeSpan.Zero || s.Target < 0):
                problems.Add("every stage needs a positive duration and a non-negative target.");
                break;
            case ExecutorKind.RampingArrivalRate when Stages.All(s => s.Target <= 0) && StartTarget <= 0:
                problems.Add("ramping-arrival-rate needs a stage with a rate above 0.");
                break;
            case ExecutorKind.ConstantConcurrency when Concurrency < 0:
                problems.Add("the concurrency must not be negative.");
                break;
        }

        if (Executor is ExecutorKind.ConstantArrivalRate or ExecutorKind.ConstantConcurrency && Duration <= TimeSpan.Zero)
        {
            problems.Add("the duration must be above 0.");
        }

        if (ScheduleDuration > TimeSpan.FromHours(24))
        {
            problems.Add("a run lasts at most 24 hours.");
        }

        if (Connections is < 1 or > 10_000)
        {
            problems.Add("connections must be between 1 and 10000.");
        }

        if (MaxRequests is < 1 or > RequestCap)
        {
            problems.Add($"max requests must be between 1 and {RequestCap}.");
        }

        if (MaxInFlight < 1)
        {
            problems.Add("max in-flight must be at least 1.");
        }

        if (RequestTimeout <= TimeSpan.Zero || GracefulStop < TimeSpan.Zero || LateTolerance < TimeSpan.Zero)
        {
            problems.Add("the request timeout must be above 0, and the graceful stop and late tolerance not negative.");
        }

        if (!Executors.IsOpen(Executor))
        {
            problems.AddRange(Thresholds.Where(t => t.RelativeToTarget)
                .Select(t => $"threshold '{t.Expression}' compares with the target rate, which only the arrival-rate executors have."));
        }

        return problems;
    }
}
