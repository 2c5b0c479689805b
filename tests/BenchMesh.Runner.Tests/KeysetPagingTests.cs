using System.Buffers.Text;
using System.Text;
using BenchMesh.Persistence;
using BenchMesh.Runner.Data;
using BenchMesh.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The cursor and page reading every list shares (ServiceDefaults: KeysetCursor, KeysetPage, TimeRange; Persistence:
/// KeysetQueries). Here because the Runner's list is their first user; the lists of Runner, Stress, Regression and
/// Scoring test them again through their APIs on a real PostgreSQL.
/// </summary>
public sealed class KeysetPagingTests
{
    private static readonly KeysetCursor Position = KeysetCursor.After(
        new DateTimeOffset(2026, 12, 6, 17, 26, 54, TimeSpan.Zero).AddTicks(1_234_560), Guid.Parse("0b1c7ad0-1111-4111-8111-000000000001"));

    [Fact]
    public void A_cursor_decodes_to_the_position_it_encodes()
    {
        var text = Position.Encode("runs");

        Assert.Equal(Position, KeysetCursor.Decode("runs", text));
        Assert.True(text.Length <= KeysetCursor.MaxTextLength);
        Assert.DoesNotContain(text, c => c is '+' or '/' or '=');
    }

    [Fact]
    public void A_timestamp_with_an_offset_is_kept_in_UTC_and_decodes_to_the_same_instant()
    {
        var local = new DateTimeOffset(2026, 12, 6, 19, 26, 54, TimeSpan.FromHours(2));

        var decoded = KeysetCursor.Decode("runs", KeysetCursor.After(local, Guid.Empty).Encode("runs"))!.Value;

        Assert.Equal(TimeSpan.Zero, decoded.Timestamp.Offset);
        Assert.Equal(local, decoded.Timestamp);
    }

    [Fact]
    public void A_cursor_of_another_list_is_refused()
    {
        Assert.Null(KeysetCursor.Decode("stress.runs", Position.Encode("runs")));
    }

    [Fact]
    public void Every_single_character_edit_of_a_cursor_is_refused()
    {
        var text = Position.Encode("runs");
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var edits = 0;
        for (var i = 0; i < text.Length; i++)
        {
            foreach (var c in alphabet.Where(c => c != text[i]).Take(6))
            {
                var edited = string.Concat(text.AsSpan(0, i), c.ToString(), text.AsSpan(i + 1));
                if (KeysetCursor.Decode("runs", edited) is { } decoded)
                {
                    // The last base64url character carries spare bits: an edit there may decode to the same bytes.
                    Assert.Equal(Position, decoded);
                    continue;
                }

                edits++;
            }
        }

        Assert.True(edits > text.Length * 5, $"only {edits} edits were refused");
    }

    [Fact]
    public void A_cursor_whose_position_was_changed_and_re_encoded_is_refused()
    {
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(Position.Encode("runs")));
        var forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.Replace("2026-12-06", "2026-12-07", StringComparison.Ordinal)));

        Assert.NotEqual(json, Encoding.UTF8.GetString(Base64Url.DecodeFromChars(forged)));
        Assert.Null(KeysetCursor.Decode("runs", forged));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a cursor")]
    [InlineData("e30")] // {}
    [InlineData("bnVsbA")] // null
    [InlineData("WzFd")] // [1]
    [InlineData("eyJ0IjoiMjAyNi0xMi0wNlQxNzoyNjo1NFoiLCJpZCI6IngiLCJzIjoieCJ9")] // {"t":"2026-12-06T17:26:54Z","id":"x","s":"x"}
    public void Garbage_is_refused(string text)
    {
        Assert.Null(KeysetCursor.Decode("runs", text));
    }

    [Fact]
    public void A_truncated_or_oversized_cursor_is_refused()
    {
        var text = Position.Encode("runs");

        Assert.Null(KeysetCursor.Decode("runs", text[..^4]));
        Assert.Null(KeysetCursor.Decode("runs", new string('A', KeysetCursor.MaxTextLength + 4)));
    }

    [Theory]
    [InlineData(null, 50)]
    [InlineData("1", 1)]
    [InlineData("200", 200)]
    public void A_limit_within_bounds_is_read(string? limit, int expected)
    {
        var errors = new ValidationErrors();

        var page = KeysetPage.Read(errors, "runs", limit, null, 50, 200);

        Assert.True(errors.IsValid);
        Assert.Equal(expected, page.Limit);
        Assert.Null(page.After);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("201")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("ten")]
    [InlineData("")]
    public void A_limit_out_of_bounds_or_not_a_whole_number_is_a_field_error(string limit)
    {
        var errors = new ValidationErrors();

        KeysetPage.Read(errors, "runs", limit, null, 50, 200);

        Assert.Equal(["limit"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void A_bad_cursor_is_a_field_error_and_a_good_one_is_read()
    {
        var bad = new ValidationErrors();
        KeysetPage.Read(bad, "runs", null, "garbage", 50, 200);
        var good = new ValidationErrors();
        var page = KeysetPage.Read(good, "runs", null, Position.Encode("runs"), 50, 200);

        Assert.Equal(["cursor"], bad.ToDictionary().Keys);
        Assert.True(good.IsValid);
        Assert.Equal(Position, page.After);
    }

    [Fact]
    public void A_page_has_a_next_cursor_only_when_the_extra_row_was_read()
    {
        var page = new KeysetPage("runs", 2, null);
        var rows = new[] { (T: Position.Timestamp, Id: Guid.NewGuid()), (T: Position.Timestamp, Id: Guid.NewGuid()), (T: Position.Timestamp, Id: Guid.NewGuid()) };

        var (full, next) = page.Slice(rows, r => KeysetCursor.After(r.T, r.Id));
        var (last, none) = page.Slice(rows[..2], r => KeysetCursor.After(r.T, r.Id));

        Assert.Equal(rows[..2], full);
        Assert.Equal(KeysetCursor.After(rows[1].T, rows[1].Id), KeysetCursor.Decode("runs", next!));
        Assert.Equal(rows[..2], last);
        Assert.Null(none);
    }

    [Fact]
    public void The_first_page_query_orders_newest_first_by_the_key_and_reads_one_row_more()
    {
        using var db = SqlOnly();

        var sql = db.Runs.AfterCursor(new KeysetPage("runs", 10, null), r => r.CreatedAt, r => r.RunId).ToQueryString();

        Assert.Contains("ORDER BY r.created_at DESC, r.run_id DESC", sql);
        Assert.Contains("LIMIT @p", sql);
        Assert.Contains("@p='11'", sql);
        Assert.DoesNotContain("WHERE", sql);
    }

    [Fact]
    public void A_next_page_query_compares_the_key_as_a_row_value_with_the_cursor_as_parameters()
    {
        using var db = SqlOnly();
        var page = new KeysetPage("runs", 10, Position);

        var sql = db.Runs.Where(r => r.WorkspaceId == "default").AfterCursor(page, r => r.CreatedAt, r => r.RunId).ToQueryString();

        // One row-value comparison the (created_at, run_id) index serves; the cursor's values are parameters, not literals.
        Assert.Matches(@"\(r\.created_at, r\.run_id\) < \(@\w+, @\w+\)", sql);
        Assert.Contains(Position.Id.ToString(), sql);
        Assert.DoesNotContain($"'{Position.Id}'::uuid", sql);
        Assert.Contains("r.workspace_id = 'default'", sql);
        Assert.Contains("ORDER BY r.created_at DESC, r.run_id DESC", sql);
    }

    /// <summary>A context that only translates queries (ToQueryString opens no connection).</summary>
    private static RunnerDbContext SqlOnly() =>
        new(new DbContextOptionsBuilder<RunnerDbContext>().UseNpgsql("Host=unused;Database=unused").Options);

    [Theory]
    [InlineData("2026-12-01", "2026-12-01T00:00:00+00:00")]
    [InlineData("2026-12-01T08:30:00Z", "2026-12-01T08:30:00+00:00")]
    [InlineData("2026-12-01T08:30:00.123456Z", "2026-12-01T08:30:00.1234560+00:00")]
    [InlineData("2026-12-01T10:30:00+02:00", "2026-12-01T08:30:00+00:00")]
    [InlineData("2026-12-01T03:30:00-05:00", "2026-12-01T08:30:00+00:00")]
    public void A_time_bound_is_read_in_UTC(string value, string expected)
    {
        var errors = new ValidationErrors();

        var range = TimeRange.Read(errors, value, null);

        Assert.True(errors.IsValid);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), range.Since);
        Assert.Equal(TimeSpan.Zero, range.Since!.Value.Offset);
    }

    [Theory]
    [InlineData("2026-12-01T08:30:00")] // no offset: the server's time zone would decide
    [InlineData("yesterday")]
    [InlineData("2026-13-01")]
    [InlineData("12/01/2026 08:30 +00:00")]
    public void A_time_bound_that_is_not_ISO_8601_with_an_offset_is_a_field_error(string value)
    {
        var errors = new ValidationErrors();

        TimeRange.Read(errors, null, value);

        Assert.Equal(["until"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void Until_must_be_later_than_since()
    {
        var errors = new ValidationErrors();

        TimeRange.Read(errors, "2026-12-02", "2026-12-01");

        Assert.Equal(["until"], errors.ToDictionary().Keys);
    }
}
