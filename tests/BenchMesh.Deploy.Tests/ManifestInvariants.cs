using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BenchMesh.Runner;
using BenchMesh.Runner.Consumers;
using BenchMesh.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Deploy.Tests;

/// <summary>
/// What no schema can see: BenchMesh's own rules for its manifests, checked against what its code declares. Each
/// problem is one sentence; none means the manifests keep every rule.
/// </summary>
public static partial class ManifestInvariants
{
    /// <summary>The services the app host runs (AppHost/AppHost.cs), sample agents aside.</summary>
    public static readonly string[] Services =
    [
        ResourceNames.Gateway, ResourceNames.Suites, ResourceNames.Runner, ResourceNames.Scoring,
        ResourceNames.Leaderboard, ResourceNames.Regression, ResourceNames.Stress,
    ];

    public const string SecretName = "benchmesh-connections";

    /// <summary>MassTransit's stop timeout (MassTransitHostOptions.StopTimeout in services/Messaging/MessagingExtensions.cs).</summary>
    private const int BusStopTimeoutSeconds = 30;

    /// <summary>The queue the Runner's benchmark workers consume, named as MessagingExtensions names it.</summary>
    public static string RunnerQueue { get; } = new KebabCaseEndpointNameFormatter(ResourceNames.Runner, false).Consumer<RunBenchmarkConsumer>();

    // Infrastructure ports by connection string: the per-service databases, the broker, the cache.
    private static int InfrastructurePort(string connection) =>
        connection == ResourceNames.RabbitMq ? 5672 : connection == ResourceNames.Redis ? 6379 : 5432;

    [GeneratedRegex(@"password\s*=|://[^/\s:@]+:[^/\s@]+@", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralCredential();

    public static IReadOnlyList<string> Check(IReadOnlyList<JsonObject> objects)
    {
        var problems = new List<string>();
        var deployments = objects.Where(o => o.Kind() == "Deployment").ToList();
        var services = objects.Where(o => o.Kind() == "Service").ToList();
        var policies = objects.Where(o => o.Kind() == "NetworkPolicy").ToList();

        // Every service, once, with its Service; all in one namespace.
        foreach (var service in Services)
        {
            var count = deployments.Count(d => d.Name() == $"benchmesh-{service}");
            if (count != 1)
            {
                problems.Add($"{count} Deployments named benchmesh-{service}, expected 1.");
            }
        }

        foreach (var extra in deployments.Where(d => !Services.Any(s => d.Name() == $"benchmesh-{s}")))
        {
            problems.Add($"Deployment {extra.Name()} is not a BenchMesh service.");
        }

        var namespaces = objects.Where(o => o.Kind() != "Namespace").Select(o => o["metadata"]?["namespace"].Text() ?? "").Distinct().ToList();
        if (namespaces.Count != 1 || namespaces[0].Length == 0)
        {
            problems.Add($"Objects are not all in one namespace: [{string.Join(", ", namespaces)}].");
        }

        // No credentials in the manifests: no Secret with data, connection strings only from the Secret.
        foreach (var secret in objects.Where(o => o.Kind() == "Secret"))
        {
            problems.Add($"Secret {secret.Name()} is in the manifests: secrets are created outside them.");
        }

        foreach (var deployment in deployments)
        {
            CheckDeployment(deployment, services, policies, objects, problems);
        }

        CheckPolicies(deployments, policies, problems);
        CheckScaling(objects, deployments, problems);
        return problems;
    }

    private static void CheckDeployment(JsonObject deployment, List<JsonObject> services, List<JsonObject> policies, IReadOnlyList<JsonObject> objects, List<string> problems)
    {
        var name = deployment.Name();
        var pod = deployment["spec"]?["template"];
        var labels = pod?["metadata"]?["labels"].Labels() ?? new Dictionary<string, string>();
        if (!int.TryParse(pod?["spec"]?["terminationGracePeriodSeconds"].Text(), CultureInfo.InvariantCulture, out var grace) || grace <= BusStopTimeoutSeconds)
        {
            problems.Add($"{name}: terminationGracePeriodSeconds must exceed the bus's {BusStopTimeoutSeconds} s stop timeout.");
        }

        if (!objects.Any(o => o.Kind() == "PodDisruptionBudget" && Selects(o["spec"]?["selector"]?["matchLabels"], labels)))
        {
            problems.Add($"{name}: no PodDisruptionBudget selects its pods.");
        }

        if (!services.Any(s => s.Name() == name && Selects(s["spec"]?["selector"], labels)))
        {
            problems.Add($"{name}: no Service of the same name selects its pods.");
        }

        foreach (var container in pod?["spec"]?["containers"].Items() ?? [])
        {
            var where = $"{name}/{container["name"].Text()}";
            if (container["readinessProbe"]?["httpGet"]?["path"].Text() != ServiceDefaultsExtensions.HealthPath)
            {
                problems.Add($"{where}: the readiness probe must GET {ServiceDefaultsExtensions.HealthPath}.");
            }

            if (container["livenessProbe"]?["httpGet"]?["path"].Text() != ServiceDefaultsExtensions.AlivePath)
            {
                problems.Add($"{where}: the liveness probe must GET {ServiceDefaultsExtensions.AlivePath}.");
            }

            var resources = container["resources"];
            if (resources?["requests"]?["cpu"] is null || resources?["requests"]?["memory"] is null || resources?["limits"]?["memory"] is null)
            {
                problems.Add($"{where}: resources must request cpu and memory and limit memory.");
            }

            if (!container["image"].Text().Contains(':', StringComparison.Ordinal))
            {
                problems.Add($"{where}: the image has no tag (an overlay pins one).");
            }

            foreach (var variable in container["env"].Items())
            {
                CheckVariable(where, labels, variable, services, policies, problems);
            }
        }
    }

    private static void CheckVariable(
        string where, IReadOnlyDictionary<string, string> source, JsonNode variable, List<JsonObject> services, List<JsonObject> policies, List<string> problems)
    {
        var key = variable["name"].Text();
        var value = variable["value"].Text();
        var secret = variable["valueFrom"]?["secretKeyRef"];
        if (LiteralCredential().IsMatch(value))
        {
            problems.Add($"{where}: {key} holds a literal credential; take it from the {SecretName} Secret.");
        }

        if (secret is not null && secret["name"].Text() != SecretName)
        {
            problems.Add($"{where}: {key} reads Secret {secret["name"].Text()}, not {SecretName}.");
        }

        if (key.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
        {
            var connection = key["ConnectionStrings__".Length..];
            if (secret is null)
            {
                problems.Add($"{where}: {key} must come from the {SecretName} Secret (secretKeyRef), not a value.");
            }

            if (!EgressAllowsAnywhere(policies, source, InfrastructurePort(connection)))
            {
                problems.Add($"{where}: no NetworkPolicy lets it reach {connection} on port {InfrastructurePort(connection)}.");
            }
        }

        if (key is "Outbound__AllowLoopback" or "Outbound__AllowPrivateNetworks" or "Runner__ProcessAgents__Enabled" && value == "true")
        {
            problems.Add($"{where}: {key} is on; in a cluster, agents must not reach the pods' own networks or start processes.");
        }

        // services__{name}__{endpoint}__0 = http://host:port: a Service of that name with that port, and a policy path to it.
        if (key.StartsWith("services__", StringComparison.Ordinal) && Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            var target = services.FirstOrDefault(s => s.Name() == uri.Host);
            if (target is null || !target["spec"]?["ports"].Items().Any(p => p["port"].Text() == uri.Port.ToString(CultureInfo.InvariantCulture)) == true)
            {
                problems.Add($"{where}: {key} points at {uri.Host}:{uri.Port}, which no Service serves.");
                return;
            }

            var destination = target["spec"]?["selector"].Labels() ?? new Dictionary<string, string>();
            if (!Allowed(policies, source, destination, uri.Port))
            {
                problems.Add($"{where}: the NetworkPolicies do not let it reach {uri.Host}:{uri.Port} ({key}).");
            }
        }
    }

    private static void CheckPolicies(List<JsonObject> deployments, List<JsonObject> policies, List<string> problems)
    {
        var denyAll = policies.Any(p =>
            p["spec"]?["podSelector"] is JsonObject { Count: 0 }
            && p["spec"]?["policyTypes"].Items().Select(t => t.Text()).Order().SequenceEqual(["Egress", "Ingress"]) == true
            && p["spec"]?["ingress"] is null && p["spec"]?["egress"] is null);
        if (!denyAll)
        {
            problems.Add("No default-deny NetworkPolicy (every pod, Ingress and Egress, no rules).");
        }

        foreach (var policy in policies)
        {
            foreach (var port in policy["spec"]?["ingress"].Items().Concat(policy["spec"]?["egress"].Items() ?? []).SelectMany(r => r["ports"].Items()) ?? [])
            {
                if (!int.TryParse(port["port"].Text(), CultureInfo.InvariantCulture, out _))
                {
                    problems.Add($"NetworkPolicy {policy.Name()}: port '{port["port"].Text()}' is not a number (named ports are not checked here).");
                }
            }

            foreach (var selector in Peers(policy).Select(p => p["podSelector"]).Append(policy["spec"]?["podSelector"]))
            {
                if (selector?["matchExpressions"] is not null)
                {
                    problems.Add($"NetworkPolicy {policy.Name()}: matchExpressions are not checked here; use matchLabels.");
                }
            }
        }

        foreach (var deployment in deployments)
        {
            var labels = deployment["spec"]?["template"]?["metadata"]?["labels"].Labels() ?? new Dictionary<string, string>();
            if (!policies.Any(p => p["spec"]?["ingress"] is not null && Selects(p["spec"]?["podSelector"]?["matchLabels"], labels)))
            {
                problems.Add($"{deployment.Name()}: no NetworkPolicy of its own says who may reach it.");
            }
        }
    }

    private static void CheckScaling(IReadOnlyList<JsonObject> objects, List<JsonObject> deployments, List<string> problems)
    {
        var runnerName = $"benchmesh-{ResourceNames.Runner}";
        var scaled = objects.Where(o => o.Kind() == "ScaledObject").ToList();
        if (scaled.Count != 1)
        {
            problems.Add($"{scaled.Count} ScaledObjects, expected 1 (the runner workers).");
            return;
        }

        var spec = scaled[0]["spec"];
        var target = spec?["scaleTargetRef"];
        var runner = deployments.FirstOrDefault(d => d.Name() == runnerName);
        if (target?["name"].Text() != runnerName || (target?["kind"] is not null && target["kind"].Text() != "Deployment") || runner is null)
        {
            problems.Add($"The ScaledObject must target the Deployment {runnerName}.");
        }

        if (runner?["spec"]?["replicas"] is not null)
        {
            problems.Add($"{runnerName} sets replicas, which its ScaledObject owns (every apply would reset them).");
        }

        if (!int.TryParse(spec?["minReplicaCount"].Text(), CultureInfo.InvariantCulture, out var min) || min < 1)
        {
            problems.Add("The ScaledObject's minReplicaCount must be at least 1: the runner also serves the runs API.");
        }

        var triggers = spec?["triggers"].Items().ToList() ?? [];
        var rabbit = triggers.FirstOrDefault(t => t["type"].Text() == "rabbitmq");
        if (triggers.Count != 1 || rabbit is null)
        {
            problems.Add("The ScaledObject must have one trigger, of type rabbitmq.");
            return;
        }

        var metadata = rabbit["metadata"];
        if (metadata?["queueName"].Text() != RunnerQueue)
        {
            problems.Add($"The ScaledObject watches queue '{metadata?["queueName"].Text()}', but the Runner consumes '{RunnerQueue}'.");
        }

        if (metadata?["protocol"].Text() != "http" || metadata?["mode"].Text() != "QueueLength")
        {
            problems.Add("The rabbitmq trigger must count QueueLength over protocol http (over AMQP, messages being worked on are not counted).");
        }

        var container = runner?["spec"]?["template"]?["spec"]?["containers"].Items().FirstOrDefault();
        var concurrency = container?["env"].Items().FirstOrDefault(e => e["name"].Text() == "Runner__Worker__ConcurrentBenchmarks")?["value"].Text()
            ?? new RunnerOptions().Worker.ConcurrentBenchmarks.ToString(CultureInfo.InvariantCulture);
        if (metadata?["value"].Text() != concurrency)
        {
            problems.Add($"The trigger's value ({metadata?["value"].Text()}) must be the benchmarks a worker runs at once ({concurrency}).");
        }

        var authentication = rabbit["authenticationRef"]?["name"].Text();
        var trigger = objects.FirstOrDefault(o => o.Kind() == "TriggerAuthentication" && o.Name() == authentication);
        if (trigger is null || !trigger["spec"]?["secretTargetRef"].Items().Any(r => r["parameter"].Text() == "host" && r["name"].Text() == SecretName) == true)
        {
            problems.Add($"The trigger must take its host from a TriggerAuthentication over the {SecretName} Secret.");
        }
    }

    private static IEnumerable<JsonNode> Peers(JsonObject policy) =>
        (policy["spec"]?["ingress"].Items().SelectMany(r => r["from"].Items()) ?? [])
        .Concat(policy["spec"]?["egress"].Items().SelectMany(r => r["to"].Items()) ?? []);

    private static bool Selects(JsonNode? matchLabels, IReadOnlyDictionary<string, string> labels) =>
        matchLabels is JsonObject selector && selector.All(p => labels.TryGetValue(p.Key, out var v) && v == p.Value.Text());

    private static bool PortMatches(JsonNode rule, int port) =>
        rule["ports"] is null || rule["ports"].Items().Any(p => p["port"].Text() == port.ToString(CultureInfo.InvariantCulture) && p["protocol"].Text() is "" or "TCP");

    private static IEnumerable<JsonNode> Rules(List<JsonObject> policies, IReadOnlyDictionary<string, string> pod, string direction) =>
        policies.Where(p => Selects(p["spec"]?["podSelector"]?["matchLabels"] ?? new JsonObject(), pod)).SelectMany(p => p["spec"]?[direction].Items() ?? []);

    /// <summary>A TCP connection from pods labelled <paramref name="source"/> to pods labelled <paramref name="destination"/>.</summary>
    private static bool Allowed(List<JsonObject> policies, IReadOnlyDictionary<string, string> source, IReadOnlyDictionary<string, string> destination, int port)
    {
        bool PodPeer(JsonNode peer, IReadOnlyDictionary<string, string> pod) => peer["ipBlock"] is null && Selects(peer["podSelector"]?["matchLabels"] ?? new JsonObject(), pod);
        var egress = Rules(policies, source, "egress").Any(r => PortMatches(r, port) && (r["to"] is null || r["to"].Items().Any(peer => PodPeer(peer, destination))));
        var ingress = Rules(policies, destination, "ingress").Any(r => PortMatches(r, port) && (r["from"] is null || r["from"].Items().Any(peer => PodPeer(peer, source))));
        return egress && ingress;
    }

    /// <summary>An egress rule to any destination (or an address block) on <paramref name="port"/>: infrastructure outside the cluster.</summary>
    private static bool EgressAllowsAnywhere(List<JsonObject> policies, IReadOnlyDictionary<string, string> source, int port) =>
        Rules(policies, source, "egress").Any(r => PortMatches(r, port) && (r["to"] is null || r["to"].Items().Any(peer => peer["ipBlock"] is not null)));
}
