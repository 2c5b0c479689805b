using System.Text.Json.Nodes;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The runtime settings the Runner is built with, read from its runtimeconfig.json as the host reads it at start
/// (copied next to this test assembly by the project reference). A worker's CPU a call depends on them
/// (docs/timing.md, "Third pass"): with tier 0 first, its agent-call path stayed unoptimized for its first benchmarks.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void The_runner_jits_code_without_ReadyToRun_optimized_on_its_first_call_and_keeps_server_GC()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "BenchMesh.Runner.runtimeconfig.json")))!;
        var properties = config["runtimeOptions"]!["configProperties"]!;

        Assert.False(properties["System.Runtime.TieredCompilation.QuickJit"]!.GetValue<bool>());
        Assert.True(properties["System.GC.Server"]!.GetValue<bool>());
    }
}
