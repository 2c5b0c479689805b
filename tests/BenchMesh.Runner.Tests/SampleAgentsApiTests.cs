using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchMesh.Runner.Tests.Support;

namespace BenchMesh.Runner.Tests;

/// <summary>The SampleAgents HTTP surface as any client sees it.</summary>
public sealed class SampleAgentsApiTests(AgentServersFixture servers) : IClassFixture<AgentServersFixture>
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(servers.SampleAgents.BaseUrl) };

    [Fact]
    public async Task Unknown_profile_is_a_404_problem()
    {
        using var response = await _http.PostAsJsonAsync("/http-json/nope", new { input = "x" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        using var response = await _http.PostAsync("/http-json/baseline", new StringContent("{\"input\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Invalid_override_is_a_400_with_the_field()
    {
        using var response = await _http.PostAsJsonAsync("/http-json/baseline?accuracy=2", new { input = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("accuracy", out _));
    }

    [Fact]
    public async Task Openai_chat_completion_has_the_openai_shape()
    {
        using var response = await _http.PostAsJsonAsync("/openai/baseline/v1/chat/completions?accuracy=1&latency_ms=0", new
        {
            model = "gpt-test",
            messages = new object[] { new { role = "system", content = "Be brief." }, new { role = "user", content = "Capital of France?" } },
            temperature = 0,
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("gpt-test", body.GetProperty("model").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("Paris", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(),
            usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Streaming_sends_chunks_usage_and_done()
    {
        using var response = await _http.PostAsJsonAsync("/openai/baseline/v1/chat/completions?accuracy=1&latency_ms=0", new
        {
            model = "m",
            messages = new[] { new { role = "user", content = "Uppercase: a b" } },
            stream = true,
            stream_options = new { include_usage = true },
        });
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = (await response.Content.ReadAsStringAsync())
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Trim()["data: ".Length..])
            .ToList();

        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        var text = string.Concat(chunks
            .SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.Equal("A B", text);
        Assert.Equal(3, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
    }

    [Fact]
    public async Task Openapi_document_lists_both_protocols()
    {
        var document = await _http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/http-json/{profile}", out _));
        Assert.True(paths.TryGetProperty("/openai/{profile}/v1/chat/completions", out _));
    }
}
