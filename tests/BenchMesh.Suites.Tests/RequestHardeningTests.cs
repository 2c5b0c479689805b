using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BenchMesh.Testing;
using static BenchMesh.Suites.Tests.HttpAssertions;

namespace BenchMesh.Suites.Tests;

/// <summary>
/// The public API's reading of requests (ServiceDefaults: StrictRequestJson, MalformedJsonExceptionHandler,
/// RequestValueGuard), through the Suites service on a real database: unknown fields, wrong types, text PostgreSQL
/// cannot store and bad query values are field errors in the client's words, and nothing is written.
/// </summary>
public sealed class RequestHardeningTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private const string Agent = """
        {"name":"bot","workspace_id":"default","protocol":"http-json","endpoint":"http://127.0.0.1:9/agent",
         "versions":[{"version":"1.0","model_configuration":{"model":"m"}}]}
        """;

    public static TheoryData<string, string, string> Malformed => new()
    {
        // body, field, a fragment of the message
        { Agent.Replace("\"name\":\"bot\"", "\"nmae\":\"bot\""), "nmae", "is not a field of this request" },
        { Agent.Replace("\"model\":\"m\"}}]", "\"model\":\"m\"},\"extra\":1}]"), "versions[0].extra", "is not a field" },
        { Agent.Replace("\"name\":\"bot\"", "\"name\":42"), "name", "must be a string." },
        { Agent.Replace("\"versions\":[", "\"versions\":{\"a\":[").Replace("]}", "]}}"), "versions", "must be an array." },
        { Agent.Replace("\"name\":\"bot\"", "\"name\":\"b\\u0000ot\""), "name", "NUL" },
        { Agent.Replace("\"name\":\"bot\"", "\"name\":\"b\\ud800ot\""), "name", "unpaired surrogates" },
        { Agent.Replace("\"model\":\"m\"", "\"model\":\"m\\u0000\""), "versions[0].model_configuration", "NUL characters (\\u0000). (at model)" },
        { Agent.Replace("\"model\":\"m\"", "\"mo\\u0000del\":\"m\""), "versions[0].model_configuration", "property name" },
        { "[]", "body", "must be a JSON object." },
        { Agent.Replace("\"name\":\"bot\"", "\"name\":\"bot\",\"name\":\"other\""), "name", "appears more than once." },
        { "{\"name\":", "name", "is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_body_is_a_field_error_without_dotnet_type_names_and_writes_nothing(string body, string field, string message)
    {
        await using var app = new SuitesApp(infrastructure, "hardening");
        var client = app.CreateClient().WithCaller();
        var before = await app.CountRowsAsync();

        using var response = await client.PostAsync("/agents", Json(body));

        await response.AssertValidationProblemAsync(field);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, JsonNode.Parse(text)!["errors"]![field]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("BenchMesh.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.Equal(before, await app.CountRowsAsync());
    }

    [Fact]
    public async Task Invalid_UTF8_bytes_in_a_string_are_a_field_error()
    {
        await using var app = new SuitesApp(infrastructure, "hardening");
        var client = app.CreateClient().WithCaller();
        var bytes = Encoding.UTF8.GetBytes(Agent.Replace("\"name\":\"bot\"", "\"name\":\"b@ot\""));
        var at = Array.IndexOf(bytes, (byte)'@');
        bytes[at] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync("/agents", content);

        await response.AssertValidationProblemAsync("name");
        Assert.Equal(0, (await app.CountRowsAsync())["agents"]);
    }

    [Fact]
    public async Task A_NUL_in_a_query_value_is_a_field_error()
    {
        await using var app = new SuitesApp(infrastructure, "hardening");
        var client = app.CreateClient().WithCaller();

        using var query = await client.GetAsync("/agents?workspace_id=a%00b");
        await query.AssertValidationProblemAsync("workspace_id");

        using var fine = await client.GetAsync("/agents?workspace_id=%E2%9C%93");
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    [Fact]
    public async Task A_missing_body_is_worded_for_the_client()
    {
        await using var app = new SuitesApp(infrastructure, "hardening");
        var client = app.CreateClient().WithCaller();

        using var response = await client.PostAsync("/agents", new StringContent("", Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("CreateAgentRequest", text, StringComparison.Ordinal);
    }
}
