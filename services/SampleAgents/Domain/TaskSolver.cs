using System.Globalization;
using System.Text.RegularExpressions;

namespace BenchMesh.SampleAgents.Domain;

/// <summary>What the agent answers to a task, and the wrong answer it gives when it "makes a mistake".</summary>
public sealed record Solution(string Answer, string WrongAnswer);

/// <summary>
/// Solves the small task families the demo suites use. Deterministic: the same input always gives the same
/// solution, so two agent versions differ only by their profile (accuracy, latency, faults).
/// </summary>
public static partial class TaskSolver
{
    public const string DontKnow = "I don't know";

    private static readonly Dictionary<string, string> Capitals = new(StringComparer.OrdinalIgnoreCase)
    {
        ["France"] = "Paris",
        ["Germany"] = "Berlin",
        ["Italy"] = "Rome",
        ["Spain"] = "Madrid",
        ["Portugal"] = "Lisbon",
        ["Japan"] = "Tokyo",
        ["China"] = "Beijing",
        ["India"] = "New Delhi",
        ["Canada"] = "Ottawa",
        ["Australia"] = "Canberra",
        ["Brazil"] = "Brasilia",
        ["Egypt"] = "Cairo",
        ["United Kingdom"] = "London",
        ["UK"] = "London",
        ["United States"] = "Washington, D.C.",
        ["USA"] = "Washington, D.C.",
        ["Netherlands"] = "Amsterdam",
        ["Poland"] = "Warsaw",
        ["Sweden"] = "Stockholm",
        ["Norway"] = "Oslo",
    };

    public static Solution Solve(string input)
    {
        var text = input.Trim();

        if (TryPrefix(text, "Reverse:", out var toReverse))
        {
            var chars = toReverse.ToCharArray();
            Array.Reverse(chars);
            return new Solution(new string(chars), DontKnow);
        }

        if (TryPrefix(text, "Uppercase:", out var toUpper))
        {
            return new Solution(toUpper.ToUpperInvariant(), DontKnow);
        }

        if (CapitalPattern().Match(text) is { Success: true } capital)
        {
            var country = capital.Groups["country"].Value.Trim();
            return Capitals.TryGetValue(country, out var city)
                ? new Solution(city, DontKnow)
                : new Solution(DontKnow, DontKnow);
        }

        if (ArithmeticPattern().Match(text) is { Success: true } arithmetic
            && TryCompute(arithmetic, out var result))
        {
            return new Solution(Format(result), Format(result + 1));
        }

        return new Solution(text, DontKnow);
    }

    /// <summary>Invariant culture, integers without decimals, at most 10 decimal places.</summary>
    public static string Format(decimal value) =>
        decimal.Round(value, 10).ToString("0.##########", CultureInfo.InvariantCulture);

    private static bool TryCompute(Match match, out decimal result)
    {
        result = 0;
        if (!decimal.TryParse(match.Groups["a"].Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var a)
            || !decimal.TryParse(match.Groups["b"].Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var b))
        {
            return false;
        }

        try
        {
            switch (match.Groups["op"].Value)
            {
                case "+": result = a + b; return true;
                case "-": result = a - b; return true;
                case "*" or "x" or "×": result = a * b; return true;
                case "/" or "÷" when b != 0: result = a / b; return true;
                default: return false;
            }
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool TryPrefix(string text, string prefix, out string rest)
    {
        if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            rest = text[prefix.Length..].Trim();
            return true;
        }

        rest = "";
        return false;
    }

    [GeneratedRegex(@"(?<a>-?\d+(?:\.\d+)?)\s*(?<op>[+\-*/x×÷])\s*(?<b>-?\d+(?:\.\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex ArithmeticPattern();

    [GeneratedRegex(@"capital\s+(?:city\s+)?of\s+(?:the\s+)?(?<country>[\p{L} .]+?)\s*\??\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CapitalPattern();
}
