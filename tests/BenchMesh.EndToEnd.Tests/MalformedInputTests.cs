using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Xunit.Abstractions;

namespace BenchMesh.EndToEnd.Tests;

/// <summary>
/// A fuzz of every public route through the gateway: hundreds of malformed requests (NUL characters, unpaired
/// surrogates, invalid UTF-8, wrong types, unknown fields, huge and deeply nested bodies, bad query and route values),
/// each derived from a request that is valid as sent (checked first), so that every one of them is refused for exactly
/// what was broken. None may answer 5xx, each 4xx must be ProblemDetails, and none may write a row.
/// </summary>
[Collection(BenchMeshAppCollection.Name)]
public sealed class MalformedInputTests(BenchMeshApp app, ITestOutputHelper output)
{
    [Fact]
    public async Task Hundreds_of_malformed_requests_get_problem_details_and_write_nothing()
    {
        var http = app.Gateway;
        var agentsBase = app.SampleAgents.ToString().TrimEnd('/');
        var agentBody = new JsonObject
        {
            ["name"] = $"fuzz-agent-{Guid.NewGuid():N}",
            ["workspace_id"] = "default", // the operator key's workspace (another one is refused)
            ["protocol"] = "http-json",
            ["endpoint"] = $"{agentsBase}/agents/baseline",
            ["description"] = "fuzzed",
            ["pricing"] = new JsonObject { ["input_per_million_usd"] = 0.5, ["output_per_million_usd"] = 1.5, ["per_call_usd"] = 0 },
            ["versions"] = new JsonArray(new JsonObject { ["version"] = "1.0", ["model_configuration"] = new JsonObject { ["model"] = "m" } }),
        };
        var agent = await SendValidAsync(http, "/agents", agentBody, HttpStatusCode.Created);
        var agentId = agent["agent_id"]!.GetValue<string>();

        var versionBody = new JsonObject { ["version"] = "2.0", ["model_configuration"] = new JsonObject { ["model"] = "m2" } };
        await SendValidAsync(http, $"/agents/{agentId}/versions", versionBody, HttpStatusCode.Created);

        var suiteBody = new JsonObject
        {
            ["name"] = "fuzz-suite",
            ["category"] = "accuracy",
            ["description"] = "a suite to fuzz",
            ["benchmarks"] = new JsonArray(new JsonObject
            {
                ["name"] = "echo",
                ["description"] = "repeat the word",
                ["scoring_rubric"] = new JsonObject { ["type"] = "exact_match" },
                ["dataset"] = new JsonObject
                {
                    ["items"] = new JsonArray(new JsonObject { ["id"] = "i1", ["input"] = "Uppercase: alpha", ["expected"] = "ALPHA" }),
                },
            }),
        };
        var suite = await SendValidAsync(http, "/suites", suiteBody, HttpStatusCode.Created);
        var suiteId = suite["suite_id"]!.GetValue<string>();

        // Valid as sent, but not sent unmutated: each would start real work (a run, a stress test) that the row counts
        // below must not see. Their templates use only fields those routes have always had.
        var runBody = new JsonObject
        {
            ["agent_id"] = agentId, ["agent_version"] = "1.0", ["suite_id"] = suiteId, ["async_execution"] = true,
            ["configuration"] = new JsonObject { ["warmup_runs"] = 0, ["iterations"] = 1 },
        };
        var compareBody = new JsonObject
        {
            ["agent_ids"] = new JsonArray(agentId, agentId), ["suite_id"] = suiteId, ["comparison_type"] = "head_to_head",
        };
        var stressBody = new JsonObject { ["agent_id"] = agentId, ["agent_version"] = "1.0", ["scenario"] = "high_load" };

        var before = await CountRowsAsync(agentId);
        var requests = new List<FuzzRequest>();
        foreach (var (path, body) in new[]
                 {
                     ("/agents", agentBody), ($"/agents/{agentId}/versions", versionBody), ("/suites", suiteBody),
                     ("/benchmarks/run", runBody), ("/benchmarks/compare", compareBody), ("/stress/runs", stressBody),
                 })
        {
            requests.AddRange(BodyMutations(path, body));
        }

        requests.AddRange(QueryAndRouteMutations(agentId, suiteId));
        Assert.True(requests.Count >= 300, $"only {requests.Count} malformed requests");

        var failures = new List<string>();
        foreach (var request in requests)
        {
            using var message = request.ToMessage();
            using var response = await http.SendAsync(message);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (status is >= 200 and < 300 && request.AllowOk)
            {
                continue;
            }

            if (status is < 400 or >= 500)
            {
                failures.Add($"{request}: {status} {Shorten(text)}");
            }
            else if (mediaType != "application/problem+json")
            {
                failures.Add($"{request}: {status} as {mediaType ?? "no content type"}, not ProblemDetails");
            }
            else if (text.Contains("BenchMesh.", StringComparison.Ordinal) || text.Contains("System.", StringComparison.Ordinal))
            {
                failures.Add($"{request}: {status} names .NET types: {Shorten(text)}");
            }
        }

        output.WriteLine($"{requests.Count} malformed requests, {failures.Count} mishandled");
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} malformed requests were mishandled:\n{string.Join("\n", failures.Take(40))}");
        Assert.Equal(before, await CountRowsAsync(agentId));
    }

    [Fact]
    public async Task A_field_error_names_its_JSON_path_and_no_dotnet_type()
    {
        using var unknown = await app.Gateway.PostAsJsonAsync("/suites", new { name = "s", benchmarks = new[] { new { name = "b", scoring_rubric = new { type = "exact_match" }, time_limit = 5 } } });
        var problem = JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull(problem["errors"]!["benchmarks[0].time_limit"]);

        using var wrongType = await app.Gateway.PostAsync("/agents", new StringContent("""{"name": 42}""", Encoding.UTF8, "application/json"));
        var wrong = JsonNode.Parse(await wrongType.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal("must be a string.", wrong["errors"]!["name"]![0]!.GetValue<string>());

        using var array = await app.Gateway.PostAsync("/agents", new StringContent("[]", Encoding.UTF8, "application/json"));
        var arrayProblem = JsonNode.Parse(await array.Content.ReadAsStringAsync())!;
        Assert.Equal("must be a JSON object.", arrayProblem["errors"]!["body"]![0]!.GetValue<string>());

        using var nul = await app.Gateway.GetAsync("/agents?workspace_id=%00");
        var nulProblem = JsonNode.Parse(await nul.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.NotNull(nulProblem["errors"]!["workspace_id"]);
    }

    private static IEnumerable<FuzzRequest> BodyMutations(string path, JsonObject template)
    {
        var text = template.ToJsonString();
        foreach (var (leafPath, leaf) in StringLeaves(template, ""))
        {
            // \u0000, a lone surrogate and raw bytes that are not UTF-8, each inside an otherwise valid string.
            yield return Body(path, $"NUL in {leafPath}", Replace(template, leaf, JsonValue.Create("a\0b")));
            yield return Body(path, $"lone surrogate in {leafPath}", ReplaceRaw(template, leaf, "\"a\\ud800b\""));
            yield return new FuzzRequest(HttpMethod.Post, path, $"invalid UTF-8 in {leafPath}",
                Bytes(ReplaceRaw(template, leaf, "\"a@@BYTES@@b\""), "@@BYTES@@", [0xC3, 0x28, 0xFF]), "application/json");
            if (leafPath.EndsWith(".input", StringComparison.Ordinal) || leafPath.EndsWith(".expected", StringComparison.Ordinal))
            {
                continue; // these may legitimately take other shapes (a message list, several accepted answers)
            }

            yield return Body(path, $"number for {leafPath}", Replace(template, leaf, JsonValue.Create(42)));
            yield return Body(path, $"object for {leafPath}", Replace(template, leaf, new JsonObject { ["x"] = 1 }));
            yield return Body(path, $"boolean for {leafPath}", Replace(template, leaf, JsonValue.Create(true)));
        }

        foreach (var (objectPath, node) in Objects(template, ""))
        {
            if (objectPath.EndsWith("scoring_rubric", StringComparison.Ordinal) || objectPath.EndsWith("model_configuration", StringComparison.Ordinal))
            {
                continue; // free-form by design (docs/api.md): a rubric's own settings, a model's configuration
            }

            var copy = template.DeepClone().AsObject();
            Locate(copy, objectPath)["zz_not_a_field"] = 1;
            yield return Body(path, $"unknown field at '{objectPath}'", copy.ToJsonString());
        }

        foreach (var (name, body) in new[]
                 {
                     ("empty body", ""), ("truncated", text[..(text.Length / 2)]), ("array", "[]"), ("string", "\"x\""),
                     ("null", "null"), ("number", "42"), ("trailing garbage", text + "}"), ("single quotes", "{'name':'x'}"),
                     ("comment", "/* */" + text), ("duplicate keys", text.Insert(1, "\"zz\":1,\"zz\":2,")),
                     ("deep nesting", new string('[', 5000) + new string(']', 5000)),
                     ("deep object", string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000)),
                     ("huge string field", Replace(template, StringLeaves(template, "").First().Leaf, JsonValue.Create(new string('x', 3_000_000)))),
                     ("duplicate field", text.Insert(1, $"\"{template.First().Key}\":{template.First().Value!.ToJsonString()},")),
                 })
        {
            yield return Body(path, name, body);
        }

        yield return new FuzzRequest(HttpMethod.Post, path, "text/plain", Encoding.UTF8.GetBytes(text), "text/plain");
        yield return new FuzzRequest(HttpMethod.Post, path, "no content type", Encoding.UTF8.GetBytes(text), null);
        // Sent with Expect: 100-continue, as careful clients send large bodies: the server answers 413 before the body
        // (without it, the server's early 413 and close reach the client as a reset while it is still sending).
        yield return new FuzzRequest(HttpMethod.Post, path, "40 MB body", new byte[40 * 1024 * 1024], "application/json", ExpectContinue: true);
    }

    private static IEnumerable<FuzzRequest> QueryAndRouteMutations(string agentId, string suiteId)
    {
        string[] gets =
        [
            "/agents?workspace_id={0}", "/suites?workspace_id={0}", "/suites?category={0}", "/agents/{0}", "/suites/{0}",
            "/benchmarks/runs/{0}", "/stress/runs/{0}", $"/benchmarks/agents/{agentId}/results?suite_id={{0}}",
            $"/benchmarks/agents/{agentId}/results?timeframe={{0}}", $"/benchmarks/agents/{agentId}/regressions?baseline_version={{0}}",
            $"/benchmarks/agents/{agentId}/regressions?threshold={{0}}", "/benchmarks/agents/{0}/results", "/benchmarks/agents/{0}/regressions",
            "/benchmarks/leaderboard?category={0}", "/benchmarks/leaderboard?metric={0}", "/benchmarks/leaderboard?limit={0}",
            $"/benchmarks/leaderboard?category=overall&suite_id={suiteId}&limit={{0}}",
        ];
        string[] values = ["%00", "a%00b", "%ED%A0%80", "%FF%FE", new string('9', 400), "-1", "%27%3B--", "%7B%7D"];
        foreach (var template in gets)
        {
            foreach (var value in values)
            {
                if (value.Contains("%00", StringComparison.Ordinal) && !template.Contains('?', StringComparison.Ordinal))
                {
                    continue; // Kestrel refuses a NUL in the path itself (a bare 400) before any code of ours runs
                }

                var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, value);
                // A value that happens to be a fine filter (e.g. category='};--') may answer 200 with no rows: only the
                // values that cannot be valid for the parameter are asserted to be refused.
                yield return new FuzzRequest(HttpMethod.Get, path, "query/route", null, null, AllowOk: !value.Contains("%00", StringComparison.Ordinal) && !template.StartsWith("/benchmarks/leaderboard?limit", StringComparison.Ordinal));
            }
        }
    }

    private sealed record FuzzRequest(
        HttpMethod Method, string Path, string Name, byte[]? Content, string? ContentType, bool AllowOk = false, bool ExpectContinue = false)
    {
        public HttpRequestMessage ToMessage()
        {
            var message = new HttpRequestMessage(Method, Path);
            message.Headers.ExpectContinue = ExpectContinue;
            if (Content is not null)
            {
                message.Content = new ByteArrayContent(Content);
                if (ContentType is not null)
                {
                    message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(ContentType);
                }
            }

            return message;
        }

        public override string ToString() => $"{Method} {(Path.Length > 120 ? Path[..120] + "…" : Path)} ({Name})";
    }

    private static FuzzRequest Body(string path, string name, string json) =>
        new(HttpMethod.Post, path, name, Encoding.UTF8.GetBytes(json), "application/json");

    private static byte[] Bytes(string json, string marker, byte[] replacement)
    {
        var at = json.IndexOf(marker, StringComparison.Ordinal);
        var head = Encoding.UTF8.GetBytes(json[..at]);
        var tail = Encoding.UTF8.GetBytes(json[(at + marker.Length)..]);
        return [.. head, .. replacement, .. tail];
    }

    /// <summary>The template with the string leaf at <paramref name="leaf"/> replaced by <paramref name="value"/>.</summary>
    private static string Replace(JsonObject template, string leaf, JsonNode value)
    {
        var copy = template.DeepClone().AsObject();
        var (parent, key) = Parent(copy, leaf);
        if (parent is JsonObject o)
        {
            o[key] = value;
        }
        else
        {
            parent.AsArray()[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = value;
        }

        return copy.ToJsonString();
    }

    /// <summary>The template with the leaf replaced by raw JSON text (for escapes a JsonNode would normalise).</summary>
    private static string ReplaceRaw(JsonObject template, string leaf, string raw)
    {
        const string marker = "\"@@FUZZ@@\"";
        return Replace(template, leaf, JsonValue.Create("@@FUZZ@@")).Replace(marker, raw, StringComparison.Ordinal);
    }

    private static IEnumerable<(string Path, string Leaf)> StringLeaves(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    foreach (var leaf in StringLeaves(child!, path.Length == 0 ? key : $"{path}.{key}"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var leaf in StringLeaves(a[i]!, $"{path}[{i}]"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                yield return (path, path);
                break;
        }
    }

    private static IEnumerable<(string Path, JsonObject Node)> Objects(JsonNode node, string path)
    {
        if (node is JsonObject o)
        {
            yield return (path, o);
            foreach (var (key, child) in o)
            {
                foreach (var inner in child is null ? [] : Objects(child, path.Length == 0 ? key : $"{path}.{key}"))
                {
                    yield return inner;
                }
            }
        }
        else if (node is JsonArray a)
        {
            for (var i = 0; i < a.Count; i++)
            {
                foreach (var inner in Objects(a[i]!, $"{path}[{i}]"))
                {
                    yield return inner;
                }
            }
        }
    }

    private static JsonObject Locate(JsonObject root, string path) =>
        path.Length == 0 ? root : Navigate(root, path).AsObject();

    private static (JsonNode Parent, string Key) Parent(JsonObject root, string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        if (cut < 0)
        {
            return (root, path);
        }

        var parent = Navigate(root, path[..cut]);
        var key = path[cut] == '[' ? path[(cut + 1)..^1] : path[(cut + 1)..];
        return (parent, key);
    }

    private static JsonNode Navigate(JsonNode root, string path)
    {
        var node = root;
        foreach (var part in path.Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = part.StartsWith('[')
                ? node.AsArray()[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)]!
                : node.AsObject()[part]!;
        }

        return node;
    }

    private static async Task<JsonNode> SendValidAsync(HttpClient http, string path, JsonObject body, HttpStatusCode expected)
    {
        using var response = await http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"the valid template for POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>
    /// Rows of every table the fuzzed routes write, straight from PostgreSQL. Runs and stress runs are counted for the
    /// fuzz's own agent only (every fuzzed run request names it): the other end-to-end tests' work goes on in the
    /// background (Regression asks the runner for confirmation runs after their runs end) and is not ours to count.
    /// </summary>
    private async Task<string> CountRowsAsync(string agentId)
    {
        var counts = new List<string>();
        foreach (var (database, queries) in new[]
                 {
                     ("suites", new[] { "agents", "agent_versions", "suites", "benchmarks", "dataset_items" }
                         .Select(t => (t, $"SELECT count(*) FROM suites.{t}")).ToArray()),
                     ("runner", new[]
                     {
                         ("runs", "SELECT count(*) FROM runner.runs WHERE agent_id = @agent"),
                         ("run_benchmarks", "SELECT count(*) FROM runner.run_benchmarks b JOIN runner.runs r ON r.run_id = b.run_id WHERE r.agent_id = @agent"),
                     }),
                     ("stress", new[]
                     {
                         ("stress_runs", "SELECT count(*) FROM stress.stress_runs WHERE agent_id = @agent"),
                         ("stress_run_shares", "SELECT count(*) FROM stress.stress_run_shares s JOIN stress.stress_runs r ON r.stress_run_id = s.stress_run_id WHERE r.agent_id = @agent"),
                     }),
                 })
        {
            var connection = new NpgsqlConnectionStringBuilder(app.Infrastructure.PostgresServer)
            {
                Database = app.Infrastructure.DatabasePrefix("e2e") + database,
            }.ConnectionString;
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync();
            foreach (var (table, sql) in queries)
            {
                await using var command = new NpgsqlCommand(sql, db);
                command.Parameters.AddWithValue("agent", Guid.Parse(agentId));
                counts.Add($"{database}.{table}={await command.ExecuteScalarAsync()}");
            }
        }

        return string.Join(", ", counts);
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
