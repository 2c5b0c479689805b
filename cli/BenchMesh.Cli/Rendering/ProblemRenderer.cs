using Spectre.Console;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Rendering;

/// <summary>Prints errors for people: the ProblemDetails' title, detail and every field error, no stack traces.</summary>
internal static class ProblemRenderer
{
    private static readonly Style ErrorStyle = new(Color.Red);

    public static void Render(IAnsiConsole console, ApiProblemException error)
    {
        var problem = error.Problem;
        var status = problem.Status ?? (int)error.StatusCode;
        console.Write(new Text($"Error {status}: {problem.Title ?? "request failed"}{Environment.NewLine}", ErrorStyle));
        if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            console.Write(new Text($"  {problem.Detail}{Environment.NewLine}"));
        }

        foreach (var (field, messages) in problem.Errors ?? [])
        {
            foreach (var message in messages)
            {
                console.Write(new Text($"  {field}: {message}{Environment.NewLine}"));
            }
        }
    }

    public static void Message(IAnsiConsole console, string message) =>
        console.Write(new Text($"Error: {message}{Environment.NewLine}", ErrorStyle));
}
