using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace BenchMesh.Cli.Rendering;

/// <summary>Formatting shared by the tables. API strings go through <see cref="Text"/>, never markup,
/// so a benchmark called "[red]" cannot break (or restyle) the output.</summary>
internal static class Cells
{
    public const string Missing = "-";

    public static IRenderable Text(string? value, Style? style = null) =>
        new Text(string.IsNullOrEmpty(value) ? Missing : value, style ?? Style.Plain);

    public static IRenderable Score(double? score) => Right(score?.ToString("0.000", CultureInfo.InvariantCulture));

    public static IRenderable Number(long? value) => Right(value?.ToString("N0", CultureInfo.InvariantCulture));

    public static IRenderable Number(int? value) => Right(value?.ToString("N0", CultureInfo.InvariantCulture));

    public static IRenderable Usd(double? value) => Right(value is null ? null : "$" + value.Value.ToString("0.000000", CultureInfo.InvariantCulture));

    public static IRenderable Milliseconds(double? value) => Right(value?.ToString("0.0", CultureInfo.InvariantCulture));

    /// <summary>A raw metric value: two decimals from 1 up, enough decimals below 1 that $0.000003 is not shown as 0.</summary>
    public static IRenderable Value(double? value) =>
        Right(value?.ToString(Math.Abs(value.Value) >= 1 ? "0.##" : "0.0#####", CultureInfo.InvariantCulture));

    /// <summary>A non-negative fraction (0.324) shown as a percentage (32.4%).</summary>
    public static IRenderable Fraction(double? fraction) => Right(fraction?.ToString("0.0%", CultureInfo.InvariantCulture));

    /// <summary>A fraction (2.07) shown as a signed percentage (+207.0%).</summary>
    public static IRenderable Percentage(double? fraction) =>
        Right(fraction?.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture));

    public static IRenderable Timestamp(DateTimeOffset? value) =>
        Text(value?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    /// <summary>What an execution's <c>terminated</c> status means (docs/scoring.md), printed under tables that show it.</summary>
    public const string TerminatedMeaning =
        "terminated: a limit or the consecutive-failure rule stopped the benchmark early; the calls it skipped count as failures.";

    /// <summary>
    /// A status: an execution's (<c>success</c>, <c>terminated</c>, <c>failed</c>), a run's or a report row's
    /// (<c>queued</c>, <c>running</c>, <c>pending</c>, <c>completed</c>, <c>failed</c>). A terminated execution
    /// succeeded in part, hence yellow, with its <paramref name="terminationReason"/> when the API gives it.
    /// </summary>
    public static IRenderable Status(string? status, string? terminationReason = null) => status switch
    {
        "success" or "completed" => Text(status, new Style(Color.Green)),
        "failed" => Text(status, new Style(Color.Red)),
        "terminated" => Text(terminationReason is null ? status : $"{status} ({terminationReason})", new Style(Color.Yellow)),
        "queued" or "running" or "pending" => Text(status, new Style(Color.Yellow)),
        _ => Text(status),
    };

    public static IRenderable Severity(string? severity) => Text(severity, severity switch
    {
        "critical" => new Style(Color.Red, decoration: Decoration.Bold),
        "major" or "high" => new Style(Color.Red),
        _ => new Style(Color.Yellow),
    });

    public static IRenderable Verdict(string? verdict) => Text(verdict, verdict switch
    {
        "regressed" => new Style(Color.Red, decoration: Decoration.Bold),
        "improved" => new Style(Color.Green),
        "inconclusive" => new Style(Color.Yellow),
        _ => Style.Plain,
    });

    public static IRenderable Health(string? health) => Text(health, health switch
    {
        "healthy" => new Style(Color.Green),
        "critical" => new Style(Color.Red, decoration: Decoration.Bold),
        _ => new Style(Color.Yellow),
    });

    public static IRenderable Right(string? value) =>
        new Text(string.IsNullOrEmpty(value) ? Missing : value).RightJustified();
}
