using System.CommandLine;
using System.CommandLine.Help;

namespace BenchMesh.Benchmarks.Common;

/// <summary>
/// A benchmark program's command line: <c>--name value</c> options on System.CommandLine, the parser the CLI uses
/// (cli/BenchMesh.Cli). What the programs share: a whole number with a default and a lower bound
/// (<see cref="Number"/>), an unknown option refused by name, <c>--help</c> printing the options with their defaults,
/// and a bad command line answered with its first error on standard error and exit code 2.
/// </summary>
public sealed class BenchmarkCommandLine(string description)
{
    /// <summary>The exit code of a bad command line.</summary>
    public const int UsageExitCode = 2;

    public RootCommand Root { get; } = new(description);

    /// <summary>An option added to the command line as it is.</summary>
    public Option<T> Add<T>(Option<T> option)
    {
        Root.Options.Add(option);
        return option;
    }

    /// <summary><c>--name N</c>: a whole number ≥ <paramref name="min"/>, <paramref name="fallback"/> when absent.</summary>
    public Option<int> Number(string name, int fallback, int min, string description) =>
        Add(AtLeast(new Option<int>($"--{name}") { Description = description, HelpName = "N", DefaultValueFactory = _ => fallback }, min));

    /// <summary><c>--name text</c>, <paramref name="fallback"/> when absent.</summary>
    public Option<string> Text(string name, string fallback, string description, string helpName = "TEXT") =>
        Add(new Option<string>($"--{name}") { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback });

    /// <summary><c>--name text</c> that must be given.</summary>
    public Option<string> RequiredText(string name, string description, string helpName = "TEXT") =>
        Add(new Option<string>($"--{name}") { Description = description, HelpName = helpName, Required = true });

    /// <summary><c>--name URL</c>: an absolute URL; required when <paramref name="fallback"/> is null.</summary>
    public Option<Uri> Url(string name, string? fallback, string description) => Add(new Option<Uri>($"--{name}")
    {
        Description = description,
        HelpName = "URL",
        Required = fallback is null,
        DefaultValueFactory = fallback is null ? null : _ => new Uri(fallback),
        CustomParser = result =>
        {
            if (Uri.TryCreate(result.Tokens[0].Value, UriKind.Absolute, out var uri))
            {
                return uri;
            }

            result.AddError($"--{name} must be an absolute URL");
            return null;
        },
    });

    /// <summary>Refuses a number below <paramref name="min"/> with the programs' own wording.</summary>
    public static Option<T> AtLeast<T>(Option<T> option, T min) where T : IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>().CompareTo(min) < 0)
            {
                result.AddError($"{option.Name} must be a whole number ≥ {min}");
            }
        });
        return option;
    }

    /// <summary>
    /// The parsed command line, or null and the first error: an unknown option (named as such rather than as
    /// System.CommandLine's "unrecognized command or argument"), a value that does not parse, or a validator's refusal.
    /// </summary>
    public ParseResult? Parse(IReadOnlyList<string> args, out string? error)
    {
        var result = Root.Parse(args);
        if (result.UnmatchedTokens.Count > 0)
        {
            var token = result.UnmatchedTokens[0];
            error = token.StartsWith("--", StringComparison.Ordinal) ? $"unknown option {token}" : $"unexpected argument '{token}'";
            return null;
        }

        error = result.Errors.Count > 0 ? result.Errors[0].Message : null;
        return error is null ? result : null;
    }

    /// <summary>
    /// Parses and binds: <paramref name="bind"/> turns the parsed options into the program's own record, or names a
    /// problem no single option shows (two ports that must differ). Null and the first error when anything is wrong.
    /// </summary>
    public T? Parse<T>(IReadOnlyList<string> args, Func<ParseResult, (T? Options, string? Problem)> bind, out string? error)
        where T : class
    {
        var result = Parse(args, out error);
        if (result is null)
        {
            return null;
        }

        (var options, error) = bind(result);
        return error is null ? options : null;
    }

    /// <summary>
    /// For a program's first lines: <see cref="Parse{T}"/>, printing the options for <c>--help</c> (exit code 0), or the
    /// error and a pointer to <c>--help</c> (exit code 2). Null: exit with <paramref name="exitCode"/>.
    /// </summary>
    public T? ParseOrExit<T>(IReadOnlyList<string> args, Func<ParseResult, (T? Options, string? Problem)> bind, out int exitCode)
        where T : class
    {
        if (Root.Parse(args) is { Action: HelpAction } help)
        {
            exitCode = help.Invoke();
            return null;
        }

        var options = Parse(args, bind, out var error);
        if (options is null)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine("--help lists the options.");
            exitCode = UsageExitCode;
            return null;
        }

        exitCode = 0;
        return options;
    }
}
