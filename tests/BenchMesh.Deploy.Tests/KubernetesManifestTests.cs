namespace BenchMesh.Deploy.Tests;

/// <summary>
/// deploy/k8s without a cluster: every overlay renders with <c>kubectl kustomize</c>, every rendered object passes the
/// Kubernetes and KEDA schemas with no unknown field (deploy/k8s/validate), and BenchMesh's own rules hold
/// (<see cref="ManifestInvariants"/>). Broken copies show that each layer catches what it is there for.
/// </summary>
public sealed class KubernetesManifestTests(ManifestTools tools) : IClassFixture<ManifestTools>
{
    // The fixture installs the validator's packages before the first test.
    private readonly ManifestTools _tools = tools;

    public static TheoryData<string> Overlays => ManifestTools.Overlays();

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_overlay_renders_and_passes_the_Kubernetes_and_KEDA_schemas(string overlay)
    {
        var yaml = await ManifestTools.RenderAsync(Path.Combine(ManifestTools.K8sFolder, "overlays", overlay));

        var (code, output) = await ManifestTools.ValidateAsync(yaml);

        Assert.True(code == 0, output);
        var objects = RenderedObjects.Parse(yaml);
        Assert.EndsWith($"{objects.Count} objects, 0 problems", output.Trim());
        foreach (var kind in new[] { "Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "ScaledObject", "TriggerAuthentication" })
        {
            Assert.Contains(objects, o => o.Kind() == kind);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_overlay_keeps_BenchMeshs_rules(string overlay)
    {
        var objects = RenderedObjects.Parse(await ManifestTools.RenderAsync(Path.Combine(ManifestTools.K8sFolder, "overlays", overlay)));

        Assert.Empty(ManifestInvariants.Check(objects));
        Assert.Equal("runner-run-benchmark", ManifestInvariants.RunnerQueue);
        Assert.Equal(ManifestInvariants.Services.Length, objects.Count(o => o.Kind() == "Deployment"));
    }

    /// <summary>
    /// One break each, in a copy of deploy/k8s: the file, the text replaced, its replacement, and words of the problem
    /// that must be reported (by the schema validator or by the invariants, whichever sees it).
    /// </summary>
    public static TheoryData<string, string, string, string> Breaks => new()
    {
        // Schemas: a wrong type, a misspelt field, a KEDA metadata value that is not a string.
        { "base/regression.yaml", "replicas: 1", "replicas: \"one\"", "spec/replicas must be integer" },
        { "base/scoring.yaml", "readinessProbe:", "readinessProbes:", "unknown field /spec/template/spec/containers/0/readinessProbes" },
        { "base/runner-autoscaling.yaml", "value: \"2\"", "value: 2", "metadata/value must be string" },
        { "base/runner-autoscaling.yaml", "    name: benchmesh-runner\n  minReplicaCount", "    name: benchmesh-runner\n    knd: Deployment\n  minReplicaCount", "unknown field /spec/scaleTargetRef/knd" },
        // Invariants: what the schemas accept.
        { "base/runner-autoscaling.yaml", "queueName: runner-run-benchmark", "queueName: runner-run-benchmarks", "but the Runner consumes 'runner-run-benchmark'" },
        { "base/runner-autoscaling.yaml", "name: benchmesh-runner\n  minReplicaCount", "name: benchmesh-scoring\n  minReplicaCount", "must target the Deployment benchmesh-runner" },
        { "base/runner-autoscaling.yaml", "protocol: http", "protocol: amqp", "over protocol http" },
        { "base/leaderboard.yaml", "path: /health", "path: /healthz", "readiness probe must GET /health" },
        { "base/stress.yaml", "              memory: 2Gi\n", "", "resources must request cpu and memory and limit memory" },
        { "base/regression.yaml", "value: \"http://+:8080\"", "value: \"Host=db;Username=benchmesh;Password=hunter2\"", "literal credential" },
        { "base/runner.yaml", "              valueFrom:\n                secretKeyRef:\n                  name: benchmesh-connections\n                  key: runnerdb", "              value: \"Host=db\"", "ConnectionStrings__runnerdb must come from the benchmesh-connections Secret" },
        { "base/stress.yaml", "name: Outbound__AllowLoopback\n              value: \"false\"", "name: Outbound__AllowLoopback\n              value: \"true\"", "Outbound__AllowLoopback is on" },
        { "base/network-policies.yaml", "              app.kubernetes.io/name: benchmesh-stress\n      ports:\n        - protocol: TCP\n          port: 8081", "              app.kubernetes.io/name: benchmesh-stress\n      ports:\n        - protocol: TCP\n          port: 8082", "do not let it reach benchmesh-suites:8081" },
        { "base/network-policies.yaml", "  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress", "  podSelector: {}\n  policyTypes:\n    - Ingress", "No default-deny NetworkPolicy" },
        { "base/disruption-budgets.yaml", "app.kubernetes.io/name: benchmesh-leaderboard", "app.kubernetes.io/name: benchmesh-leaderbord", "benchmesh-leaderboard: no PodDisruptionBudget" },
        { "base/gateway.yaml", "http://benchmesh-stress:8080", "http://benchmesh-stres:8080", "points at benchmesh-stres:8080, which no Service serves" },
        { "overlays/production/kustomization.yaml", "  - name: benchmesh/runner\n    newTag: \"1.0.0\"\n", "", "the image has no tag" },
    };

    /// <summary>
    /// Every break of <see cref="Breaks"/> rendered from its own copy, and all of them validated in one run of the
    /// validator; each break must be reported with the words given.
    /// </summary>
    [Fact]
    public async Task Every_broken_copy_is_refused_with_the_reason()
    {
        var breaks = Breaks.Select(row => (File: (string)row[0], Find: (string)row[1], Replace: (string)row[2], Reported: (string)row[3])).ToList();
        var renderings = new List<string>();
        foreach (var (file, find, replace, _) in breaks)
        {
            renderings.Add(await RenderBrokenCopyAsync(file, find, replace));
        }

        var outputs = await ManifestTools.ValidateEachAsync(renderings);

        var missed = new List<string>();
        for (var i = 0; i < breaks.Count; i++)
        {
            var problems = ManifestInvariants.Check(RenderedObjects.Parse(renderings[i]));
            var reported = outputs[i] + "\n" + string.Join('\n', problems);
            if (!reported.Contains(breaks[i].Reported, StringComparison.Ordinal))
            {
                missed.Add($"{breaks[i].File}: '{breaks[i].Replace}' was not reported as '{breaks[i].Reported}'; reported:\n{reported}");
            }
        }

        Assert.Empty(missed);
    }

    /// <summary>The production overlay rendered from a copy of deploy/k8s with one text replaced.</summary>
    private static async Task<string> RenderBrokenCopyAsync(string file, string find, string replace)
    {
        var copy = Directory.CreateTempSubdirectory("benchmesh-k8s-");
        try
        {
            foreach (var path in Directory.EnumerateFiles(ManifestTools.K8sFolder, "*.yaml", SearchOption.AllDirectories)
                         .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}validate{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            {
                var target = Path.Combine(copy.FullName, Path.GetRelativePath(ManifestTools.K8sFolder, path));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(path, target);
            }

            var broken = Path.Combine(copy.FullName, file);
            var text = await File.ReadAllTextAsync(broken);
            Assert.Contains(find, text); // the break applies to the manifests as they are
            await File.WriteAllTextAsync(broken, text.Replace(find, replace, StringComparison.Ordinal));
            return await ManifestTools.RenderAsync(Path.Combine(copy.FullName, "overlays", "production"));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}
