using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.ServiceDefaults;

/// <summary>
/// Turns a request body that is not valid JSON, or holds a value of the wrong type, into a ValidationProblem
/// whose key is the field's JSON path (e.g. <c>benchmarks[0].constraints.timeout_seconds</c>), as docs/api.md
/// asks of malformed JSON. Runs inside the shared exception handler (UseProblemDetailsErrors), which answers
/// every other failure.
/// </summary>
public sealed class MalformedJsonExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException { InnerException: JsonException json })
        {
            return false;
        }

        var field = json.Path is null or "$" ? "body" : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path;
        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field] = [$"is not valid JSON or has the wrong type: {json.Message}"],
            })
            {
                Title = "The request body is not valid JSON.",
                Status = StatusCodes.Status400BadRequest,
            },
            Exception = exception,
        });
    }
}
