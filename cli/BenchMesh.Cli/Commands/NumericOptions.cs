using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace BenchMesh.Cli.Commands;

/// <summary>
/// Numbers on the command line: every numeric option of every command reads its value itself, so that a value that is
/// not a number is one line naming the option and the value (<c>--iterations: 'ten' is not a whole number.</c>, exit 3)
/// instead of the parser's message with a .NET type name, and so that the validators after it never see a value that
/// could not be converted (asking for one throws).
/// </summary>
public static class NumericOptions
{
    private static readonly Number<int> Ints = new("a whole number",
        (string text, out int value) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value));

    private static readonly Number<long> Longs = new("a whole number",
        (string text, out long value) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value));

    private static readonly Number<double> Doubles = new("a number",
        (string text, out double value) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value));

    private static readonly Number<decimal> Decimals = new("a number",
        (string text, out decimal value) => decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value));

    private delegate bool TryParse<T>(string text, out T value);

    /// <summary>Applies to the options of <paramref name="command"/> and of all its subcommands; returns it.</summary>
    public static T ParseNumbersClearly<T>(this T command) where T : Command
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in command.Options)
        {
            Clarify(option);
        }

        foreach (var subcommand in command.Subcommands)
        {
            subcommand.ParseNumbersClearly();
        }

        return command;
    }

    /// <summary>Refuses a negative value of <paramref name="option"/>, as <c>{name} must not be negative.</c></summary>
    public static void NotNegative<T>(Option<T> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            // The token, not the value: a value that is not a number has its own error already, and no value to ask for.
            if (result.Tokens is [{ } token] && decimal.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value < 0)
            {
                result.AddError($"{option.Name} must not be negative.");
            }
        });
    }

    private static void Clarify(Option option) => _ = option switch
    {
        Option<int> o => Read(o, Ints),
        Option<int?> o => ReadOptional(o, Ints),
        Option<long> o => Read(o, Longs),
        Option<long?> o => ReadOptional(o, Longs),
        Option<double> o => Read(o, Doubles),
        Option<double?> o => ReadOptional(o, Doubles),
        Option<decimal> o => Read(o, Decimals),
        Option<decimal?> o => ReadOptional(o, Decimals),
        _ => false,
    };

    private static bool Read<T>(Option<T> option, Number<T> number) where T : struct
    {
        option.CustomParser ??= result => number.Parse(result, option.Name);
        return true;
    }

    private static bool ReadOptional<T>(Option<T?> option, Number<T> number) where T : struct
    {
        option.CustomParser ??= result => number.Parse(result, option.Name);
        return true;
    }

    /// <summary>A kind of number: how its text reads, and its name in the error.</summary>
    private sealed record Number<T>(string Kind, TryParse<T> TryParse) where T : struct
    {
        public T Parse(ArgumentResult result, string name)
        {
            // Called only when the option was given, with its one value (numeric options take exactly one).
            var text = result.Tokens[^1].Value;
            if (TryParse(text, out var value))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not {Kind}.");
            return default;
        }
    }
}
