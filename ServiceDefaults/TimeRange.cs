using System.Globalization;

namespace BenchMesh.ServiceDefaults;

/// <summary>
/// The time filter of a list: <c>since</c> (inclusive) and <c>until</c> (exclusive), each optional, read from the query
/// as an ISO 8601 date (midnight UTC) or a date and time with its offset (<c>Z</c> or <c>+02:00</c>, written <c>%2B02:00</c>
/// in a URL). A time without an offset is refused: its meaning would depend on the server's time zone.
/// </summary>
public sealed record TimeRange(DateTimeOffset? Since, DateTimeOffset? Until)
{
    public static TimeRange Read(ValidationErrors errors, string? since, string? until)
    {
        var range = new TimeRange(ReadTime(errors, "since", since), ReadTime(errors, "until", until));
        if (range is { Since: { } from, Until: { } to } && to <= from)
        {
            errors.Add("until", "must be later than since.");
        }

        return range;
    }

    private static DateTimeOffset? ReadTime(ValidationErrors errors, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        if (HasOffset(value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            // UTC: PostgreSQL's timestamptz parameters must be.
            return time.ToUniversalTime();
        }

        errors.Add(field, "must be an ISO 8601 date (2026-12-01) or date and time with an offset (2026-12-01T08:00:00Z).");
        return null;
    }

    /// <summary>A date, <c>T</c>, a time, then <c>Z</c> or a signed offset.</summary>
    private static bool HasOffset(string value)
    {
        var t = value.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        return t == 10 && (value.EndsWith('Z') || value.EndsWith('z') || value.AsSpan(t).IndexOfAny('+', '-') > 0);
    }
}
