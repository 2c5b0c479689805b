using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace BenchMesh.Testing;

/// <summary>Another workspace's ids answer 404, never 403: the answer must not tell that the id exists.</summary>
public static class NotFoundProblems
{
    /// <summary>
    /// The 404 for another workspace's id (<paramref name="hidden"/>) has the body of the 404 for an id that does not exist
    /// (<paramref name="unknown"/>), the id and the trace id aside.
    /// </summary>
    public static async Task AssertSameAsync(HttpResponseMessage hidden, Guid hiddenId, HttpResponseMessage unknown, Guid unknownId)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(unknown);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(unknown.Content.Headers.ContentType?.MediaType, hidden.Content.Headers.ContentType?.MediaType);
        var expected = (await unknown.Content.ReadAsStringAsync()).Replace(unknownId.ToString(), hiddenId.ToString(), StringComparison.Ordinal);
        Assert.Equal(WithoutTraceId(expected), WithoutTraceId(await hidden.Content.ReadAsStringAsync()));
    }

    private static string WithoutTraceId(string problem)
    {
        var node = JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        node.Remove("trace_id");
        return node.ToJsonString();
    }
}
