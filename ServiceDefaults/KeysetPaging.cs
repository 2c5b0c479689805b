using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BenchMesh.ServiceDefaults;

/// <summary>
/// A position in a list ordered newest first by <c>(timestamp, id)</c>: the last item of the page a client has. The
/// next page is the rows whose <c>(timestamp, id)</c> is below it, a row-value comparison an index on both columns
/// answers directly (keyset paging; OFFSET would rescan every skipped row, and skip or repeat rows when new ones arrive).
/// The id breaks ties between rows written in the same microsecond, so no row is lost or repeated at a page edge.
/// </summary>
/// <remarks>
/// The text is base64url of <c>{"t":"&lt;timestamp&gt;","id":"&lt;id&gt;","s":"&lt;check&gt;"}</c>, opaque to clients. The
/// check is a digest of the list's name and the position, so that an edited, truncated or corrupted cursor, or one
/// taken from another list, is refused rather than read as some other position. It is an integrity check and not a
/// secret: forging a cursor gains nothing, since it only selects a position in rows the same request may list anyway.
/// </remarks>
public readonly record struct KeysetCursor(DateTimeOffset Timestamp, Guid Id)
{
    /// <summary>The longest cursor text read; the ones this type writes are about 150 characters.</summary>
    public const int MaxTextLength = 256;

    private const int CheckBytes = 12;

    private static readonly JsonSerializerOptions Json = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>The cursor of a row (timestamps in UTC: PostgreSQL's <c>timestamptz</c> parameters must be).</summary>
    public static KeysetCursor After(DateTimeOffset timestamp, Guid id) => new(timestamp.ToUniversalTime(), id);

    /// <summary>The cursor's text for the list named <paramref name="list"/>, the name <see cref="Decode"/> checks it against.</summary>
    public string Encode(string list)
    {
        var timestamp = Canonical(Timestamp);
        var payload = new Payload(timestamp, Id.ToString("D"), Check(list, timestamp, Id));
        return Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload, Json));
    }

    /// <summary>The cursor <paramref name="text"/> encodes for <paramref name="list"/>, or null when it is not one.</summary>
    public static KeysetCursor? Decode(string list, string text)
    {
        if (text.Length is 0 or > MaxTextLength || !Base64Url.IsValid(text.AsSpan()))
        {
            return null;
        }

        Payload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<Payload>(Base64Url.DecodeFromChars(text.AsSpan()), Json);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }

        if (payload is not { T: { } t, Id: { } id, S: { } check }
            || !DateTimeOffset.TryParseExact(t, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp)
            || !Guid.TryParseExact(id, "D", out var guid))
        {
            return null;
        }

        var cursor = After(timestamp, guid);
        var expected = Check(list, Canonical(cursor.Timestamp), guid);
        return string.Equals(check, expected, StringComparison.Ordinal) ? cursor : null;
    }

    private static string Canonical(DateTimeOffset timestamp) =>
        timestamp.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static string Check(string list, string timestamp, Guid id)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{list}\n{timestamp}\n{id:D}"));
        return Base64Url.EncodeToString(digest.AsSpan(0, CheckBytes));
    }

    private sealed record Payload(
        [property: JsonPropertyName("t")] string? T,
        [property: JsonPropertyName("id")] string? Id,
        [property: JsonPropertyName("s")] string? S);
}

/// <summary>
/// The page a list request asks for: <c>limit</c> (how many items, from 1 to the list's maximum) and <c>cursor</c> (the
/// <c>next_cursor</c> of the previous page; absent for the first). Read from the query as text, so that a value that is
/// not a number or not a cursor is a field error under its own name. <see cref="List"/> names the list its cursors belong to.
/// </summary>
public sealed record KeysetPage(string List, int Limit, KeysetCursor? After)
{
    public static KeysetPage Read(ValidationErrors errors, string list, string? limit, string? cursor, int defaultLimit, int maxLimit)
    {
        var size = defaultLimit;
        if (limit is not null
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > maxLimit))
        {
            errors.Add("limit", $"must be a whole number from 1 to {maxLimit}.");
        }

        KeysetCursor? after = null;
        if (cursor is not null && (after = KeysetCursor.Decode(list, cursor)) is null)
        {
            errors.Add("cursor", "is not a cursor of this list: pass next_cursor from the previous page unchanged.");
        }

        return new KeysetPage(list, size, after);
    }

    /// <summary>
    /// The page out of <paramref name="rows"/>, which the caller read with <c>Take(Limit + 1)</c>: the extra row, when
    /// there is one, says that a next page exists without a second query; the cursor is then the page's last item.
    /// </summary>
    public (IReadOnlyList<T> Items, string? NextCursor) Slice<T>(IReadOnlyList<T> rows, Func<T, KeysetCursor> position)
    {
        if (rows.Count <= Limit)
        {
            return (rows, null);
        }

        var items = rows.Take(Limit).ToList();
        return (items, position(items[^1]).Encode(List));
    }
}
