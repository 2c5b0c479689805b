using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.ServiceDefaults;

/// <summary>
/// Refuses a request whose query values hold a NUL character before any endpoint sees it: a filter such as
/// <c>?workspace_id=%00</c> went into a PostgreSQL query and answered 500. The answer is a ValidationProblem keyed by
/// the parameter's name. Bodies are checked by <see cref="StrictRequestJson"/>; a path with a NUL never gets here,
/// Kestrel refuses it (400) while parsing the request line.
/// </summary>
public sealed partial class RequestValueGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var errors = new ValidationErrors();
        foreach (var (key, values) in context.Request.Query)
        {
            if (StrictRequestJson.Problem(key) is { } keyProblem)
            {
                errors.Add("query", $"parameter name {keyProblem}");
            }

            foreach (var value in values)
            {
                if (value is not null && StrictRequestJson.Problem(value) is { } problem)
                {
                    errors.Add(key, problem);
                }
            }
        }

        if (errors.IsValid)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new HttpValidationProblemDetails(errors.ToDictionary())
            {
                Title = "The request has invalid values.",
                Status = StatusCodes.Status400BadRequest,
            },
        });
    }

    /// <summary>
    /// The detail of a 4xx error in the client's words. ASP.NET Core's binding messages name parameters with their .NET
    /// types (<c>Required parameter "CreateSuiteRequest request" was not provided from body.</c>); those are reworded,
    /// anything else is passed on without .NET type names.
    /// </summary>
    public static string ClientMessage(Exception error)
    {
        var message = error.Message;
        if (MissingBody().IsMatch(message))
        {
            return "A JSON request body is required.";
        }

        if (FailedBinding().Match(message) is { Success: true } binding)
        {
            var value = binding.Groups["value"].Value;
            return $"The parameter '{binding.Groups["name"].Value}' has an invalid value '{(value.Length > 100 ? value[..100] + "…" : value)}'.";
        }

        return ClrParameter().Replace(message, m => $"\"{m.Groups["name"].Value}\"");
    }

    [GeneratedRegex(@"^Required parameter "".+"" was not provided from body\.?$")]
    private static partial Regex MissingBody();

    [GeneratedRegex(@"^Failed to bind parameter ""[^""]*?(?<name>\w+)"" from ""(?<value>.*)""\.?$", RegexOptions.Singleline)]
    private static partial Regex FailedBinding();

    [GeneratedRegex(@"""[\w.`<>\[\]?, ]+ (?<name>\w+)""")]
    private static partial Regex ClrParameter();
}
