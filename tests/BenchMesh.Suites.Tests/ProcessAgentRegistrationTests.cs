using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Grpc.Suites;
using BenchMesh.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using static BenchMesh.Suites.Tests.HttpAssertions;

namespace BenchMesh.Suites.Tests;

/// <summary>
/// Registering <c>process</c> agents: the command is an argv array (never a shell string), stored as the canonical
/// <see cref="ProcessCommand"/> JSON in the endpoint (SHARED-DECISIONS 2) and returned unpacked.
/// </summary>
public sealed class ProcessAgentRegistrationTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    [Fact]
    public async Task A_process_agent_stores_its_argv_as_canonical_json_and_returns_it_with_a_version_override()
    {
        await using var app = new SuitesApp(infrastructure, "process_agents");
        var client = app.CreateClient().WithCaller();

        var created = await client.PostAsync("/agents", Json("""
            {
              "name": "calc", "workspace_id": "default", "protocol": "process",
              "command": ["/usr/bin/python3", "agent.py", "--scale", "a b; rm -rf /", "é"],
              "versions": [
                { "version": "1" },
                { "version": "2", "command": ["/usr/bin/python3", "agent.py", "--worker"], "process_mode": "json_lines" }
              ]
            }
            """));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var agent = await created.ReadObjectAsync();
        // Every argument is kept exactly, spaces and shell metacharacters included: nothing will ever parse them.
        Assert.Equal("""{"command":["/usr/bin/python3","agent.py","--scale","a b; rm -rf /","é"],"mode":"per_call"}""", (string)agent["endpoint"]!);
        Assert.Equal(["/usr/bin/python3", "agent.py", "--scale", "a b; rm -rf /", "é"], agent["command"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("per_call", (string)agent["process_mode"]!);

        var read = (await client.GetFromJsonAsync<JsonObject>($"/agents/{(string)agent["agent_id"]!}"))!;
        var versions = read["versions"]!.AsArray();
        Assert.Equal((string)agent["endpoint"]!, (string)versions[0]!["endpoint"]!);
        Assert.Equal("per_call", (string)versions[0]!["process_mode"]!);
        Assert.Equal("""{"command":["/usr/bin/python3","agent.py","--worker"],"mode":"json_lines"}""", (string)versions[1]!["endpoint"]!);
        Assert.Equal(["/usr/bin/python3", "agent.py", "--worker"], versions[1]!["command"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("json_lines", (string)versions[1]!["process_mode"]!);

        // A version added later overrides the command the same way.
        var added = await client.PostAsync($"/agents/{(string)agent["agent_id"]!}/versions", Json("""
            { "version": "3", "command": ["jq", "-c", "{output: .input}"] }
            """));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var third = (await added.ReadObjectAsync())["versions"]!.AsArray()[2]!;
        Assert.Equal("""{"command":["jq","-c","{output: .input}"],"mode":"per_call"}""", (string)third["endpoint"]!);

        // Other protocols show no command.
        Assert.Null((await (await client.PostAsJsonAsync("/agents", new
        {
            name = "http", workspace_id = "default", protocol = "http-json", endpoint = "http://127.0.0.1:5161/http-json/fast",
        })).ReadObjectAsync())["command"]);
    }

    [Fact]
    public async Task The_catalog_serves_the_canonical_command_as_the_versions_endpoint()
    {
        await using var app = new SuitesApp(infrastructure, "process_catalog");
        var client = app.CreateClient().WithCaller();
        var agentId = (string)(await (await client.PostAsync("/agents", Json("""
            { "name": "calc", "workspace_id": "default", "protocol": "process", "command": ["bc", "-q"], "process_mode": "json_lines",
              "versions": [ { "version": "1" } ] }
            """))).ReadObjectAsync())["agent_id"]!;

        using var channel = GrpcChannel.ForAddress(app.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = app.Server.CreateHandler() });
        var getAgentVersion = new Method<GetAgentVersionRequest, AgentVersionMessage>(
            MethodType.Unary, "benchmesh.suites.v1.SuiteCatalog", "GetAgentVersion",
            Marshallers.Create(m => m.ToByteArray(), GetAgentVersionRequest.Parser.ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), AgentVersionMessage.Parser.ParseFrom));
        var version = await channel.CreateCallInvoker().AsyncUnaryCall(
            getAgentVersion, null, new CallOptions(), new GetAgentVersionRequest { AgentId = agentId, Version = "1" });

        var command = ProcessCommand.Parse(version.Endpoint);
        Assert.Equal(["bc", "-q"], command.Command);
        Assert.Equal(ProcessModes.JsonLines, command.Mode);
    }

    [Theory]
    // A shell string: refused, with the reason and the shape to use.
    [InlineData("""{ "command": "python3 agent.py --fast" }""", "command", "not a shell command line")]
    [InlineData("""{ }""", "command", "is required for a process agent")]
    [InlineData("""{ "command": [] }""", "command", "non-empty array")]
    [InlineData("""{ "command": ["python3", 3] }""", "command", "array of strings")]
    [InlineData("""{ "command": ["python3", ""] }""", "command", "element 1 must be a non-empty string")]
    [InlineData("""{ "command": ["   "] }""", "command", "element 0 must name a program")]
    [InlineData("""{ "command": {"argv": ["python3"]} }""", "command", "array of strings")]
    [InlineData("""{ "command": ["python3"], "process_mode": "daemon" }""", "process_mode", "per_call, json_lines")]
    // The endpoint of a process agent is the runner's business: a client gives the command.
    [InlineData("""{ "command": ["python3"], "endpoint": "python3 agent.py" }""", "endpoint", "give \"command\"")]
    [InlineData("""{ "command": ["python3"], "api_key": "sk-x" }""", "api_key", "no credential")]
    [InlineData("""{ "command": ["python3"], "versions": [ { "version": "1", "process_mode": "json_lines" } ] }""", "versions[0].process_mode", "same version")]
    [InlineData("""{ "command": ["python3"], "versions": [ { "version": "1", "command": "python3 x.py" } ] }""", "versions[0].command", "not a shell command line")]
    public async Task Invalid_process_registrations_are_field_errors_and_write_nothing(string fields, string field, string message)
    {
        await using var app = new SuitesApp(infrastructure, "process_invalid");
        var client = app.CreateClient().WithCaller();
        var body = JsonNode.Parse(fields)!.AsObject();
        body["name"] = "calc";
        body["workspace_id"] = "default";
        body["protocol"] = "process";

        var response = await client.PostAsync("/agents", Json(body.ToJsonString()));

        await response.AssertValidationProblemAsync(field);
        var messages = (await response.ReadObjectAsync())["errors"]![field]!.AsArray().Select(m => (string)m!);
        Assert.Contains(messages, m => m.Contains(message, StringComparison.Ordinal));
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task Too_many_arguments_and_commands_on_other_protocols_are_refused()
    {
        await using var app = new SuitesApp(infrastructure, "process_bounds");
        var client = app.CreateClient().WithCaller();

        var tooMany = await client.PostAsJsonAsync("/agents", new
        {
            name = "calc", workspace_id = "default", protocol = "process", command = Enumerable.Repeat("x", ProcessCommand.MaxArguments + 1).ToArray(),
        });
        await tooMany.AssertValidationProblemAsync("command");

        var tooLong = await client.PostAsJsonAsync("/agents", new
        {
            name = "calc", workspace_id = "default", protocol = "process", command = Enumerable.Repeat(new string('x', 1000), 3).ToArray(),
        });
        await tooLong.AssertValidationProblemAsync("command");

        var onHttp = await client.PostAsJsonAsync("/agents", new
        {
            name = "http", workspace_id = "default", protocol = "http-json", endpoint = "http://127.0.0.1:5161/", command = new[] { "python3" }, process_mode = "per_call",
        });
        await onHttp.AssertValidationProblemAsync("command");
        await onHttp.AssertValidationProblemAsync("process_mode");
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public void ProcessCommand_parses_only_its_canonical_shape()
    {
        var command = ProcessCommand.Parse("""{ "mode": "json_lines", "command": ["jq", "-c", "."] }""");
        Assert.Equal("""{"command":["jq","-c","."],"mode":"json_lines"}""", command.ToJson());
        Assert.Equal(command, ProcessCommand.Parse(command.ToJson()));
        Assert.Equal(ProcessModes.PerCall, ProcessCommand.Parse("""{"command":["bc"]}""").Mode);

        Assert.False(ProcessCommand.TryParse("python3 agent.py", out _, out var notJson));
        Assert.Contains("not JSON", notJson);
        Assert.False(ProcessCommand.TryParse("""{"command":["bc"],"shell":true}""", out _, out var unknown));
        Assert.Contains("'shell'", unknown);
        Assert.False(ProcessCommand.TryParse("""{"command":["b\u0000c"]}""", out _, out var nul));
        Assert.Contains("NUL", nul);
        Assert.Throws<FormatException>(() => ProcessCommand.Parse("""{"command":"bc"}"""));
    }
}
