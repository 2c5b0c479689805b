using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.ServiceDefaults;

/// <summary>
/// Turns a request body that is not valid JSON, holds a value of the wrong type, a field the request does not define
/// or text PostgreSQL cannot store (<see cref="StrictRequestJson"/>) into a ValidationProblem whose key is the field's
/// JSON path (e.g. <c>benchmarks[0].constraints.time_limit_ms</c>), worded for the client: the serializer's own
/// messages name .NET types ("could not be converted to BenchMesh.Suites.Apis.CreateAgentRequest"), which mean
/// nothing to a caller and describe our internals. Runs inside the shared exception handler (UseProblemDetailsErrors),
/// which answers every other failure.
/// </summary>
public sealed partial class MalformedJsonExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException { InnerException: JsonException json })
        {
            return false;
        }

        var (field, message) = Describe(json);
        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Title = "The request body is not valid.",
                Status = StatusCodes.Status400BadRequest,
            },
            Exception = exception,
        });
    }

    /// <summary>The field (snake_case JSON path, or <c>body</c>) and what is wrong with it, in the API's words.</summary>
    public static (string Field, string Message) Describe(JsonException json)
    {
        var path = json.Path is null or "$" ? "body" : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path.TrimStart('$');
        if (json is StrictRequestJson.InvalidTextException)
        {
            return (path, json.Message);
        }

        var text = json.Message;
        if (UnmappedMember().Match(text) is { Success: true } unmapped)
        {
            // The serializer reports the path of the object that holds the unknown property, not the property itself.
            var name = unmapped.Groups["name"].Value;
            var field = path == "body" ? name : path.EndsWith("." + name, StringComparison.Ordinal) || path == name ? path : $"{path}.{name}";
            return (field, "is not a field of this request (see docs/api.md; a request that has `metadata` keeps a client's own data there).");
        }

        if (DuplicateProperty().Match(text) is { Success: true } duplicate)
        {
            var name = duplicate.Groups["name"].Value;
            var field = path == "body" ? name : path.EndsWith("." + name, StringComparison.Ordinal) || path == name ? path : $"{path}.{name}";
            return (field, "appears more than once.");
        }

        if (Conversion().Match(text) is { Success: true } conversion)
        {
            return (path, $"must be {JsonKind(conversion.Groups["type"].Value, path == "body")}.");
        }

        // Reader errors ("'x' is an invalid start of a value", "expected depth to be zero", "maximum configured depth of
        // 64 has been exceeded") name no types; keep their first sentence and drop the serializer's location suffix.
        var sentence = text.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();
        return (path, $"is not valid JSON: {ClrName().Replace(sentence, "the expected type")}");
    }

    /// <summary>The JSON kind a .NET type is read from, as a client would name it.</summary>
    private static string JsonKind(string clrType, bool isBody)
    {
        const string nullable = "System.Nullable`1[";
        var type = clrType.StartsWith(nullable, StringComparison.Ordinal) ? clrType[nullable.Length..^1] : clrType;
        if (type.EndsWith("[]", StringComparison.Ordinal))
        {
            return "an array";
        }

        type = type.Split('`')[0];
        var simple = type[(type.LastIndexOf('.') + 1)..];
        return simple switch
        {
            "String" or "Char" => "a string",
            "Guid" => "a UUID string",
            "DateTimeOffset" or "DateTime" => "an ISO 8601 date-time string",
            "TimeSpan" => "a duration string (hh:mm:ss)",
            "Boolean" => "true or false",
            "Int32" or "Int64" or "Int16" or "UInt32" or "UInt64" or "Byte" => "a whole number in range",
            "Double" or "Single" or "Decimal" => "a number in range",
            "IReadOnlyList" or "IList" or "List" or "IEnumerable" or "ICollection" or "IReadOnlyCollection" => "an array",
            "IReadOnlyDictionary" or "IDictionary" or "Dictionary" => "an object",
            _ => isBody ? "a JSON object" : "an object",
        };
    }

    [GeneratedRegex(@"The JSON property '(?<name>[^']*)' could not be mapped to any \.NET member")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"Duplicate property '(?<name>[^']*)'")]
    private static partial Regex DuplicateProperty();

    [GeneratedRegex(@"could not be converted to (?<type>[\w.`\[\], ]+?)\.(?: Path:|$)")]
    private static partial Regex Conversion();

    [GeneratedRegex(@"\b(?:System|BenchMesh|Microsoft)\.[\w.`\[\]]+")]
    private static partial Regex ClrName();
}
