using System.Linq.Expressions;
using BenchMesh.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Persistence;

/// <summary>
/// The query side of keyset paging (ServiceDefaults' <see cref="KeysetPage"/> reads the request and cuts the page):
/// every list orders newest first by its <c>(timestamp, id)</c> key, starts after the page's cursor and reads one row more
/// than the page. A list gives only its filtered query, its key and its projection. Here rather than beside
/// <see cref="KeysetPage"/> because the cursor's comparison is an EF Core function, which ServiceDefaults does not reference.
/// </summary>
public static class KeysetQueries
{
    /// <summary>
    /// <paramref name="source"/> after <paramref name="page"/>'s cursor, ordered by <c>(timestamp, id)</c> descending, with
    /// <c>Limit + 1</c> rows at most: the extra row tells <see cref="KeysetPage.Slice{T}"/> that a next page exists.
    /// </summary>
    public static IQueryable<TRow> AfterCursor<TRow>(
        this IQueryable<TRow> source, KeysetPage page, Expression<Func<TRow, DateTimeOffset>> timestamp, Expression<Func<TRow, Guid>> id)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(id);
        if (page.After is { } after)
        {
            source = source.Where(Below(timestamp, id, after));
        }

        return source.OrderByDescending(timestamp).ThenByDescending(id).Take(page.Limit + 1);
    }

    /// <summary>
    /// The page of <paramref name="source"/> (see <see cref="AfterCursor{TRow}"/>), each row projected by
    /// <paramref name="select"/>, and the cursor of the next page (null on the last), taken from the page's last item by
    /// <paramref name="position"/>.
    /// </summary>
    public static async Task<(IReadOnlyList<TItem> Items, string? NextCursor)> ToKeysetPageAsync<TRow, TItem>(
        this IQueryable<TRow> source, KeysetPage page, Expression<Func<TRow, DateTimeOffset>> timestamp, Expression<Func<TRow, Guid>> id,
        Expression<Func<TRow, TItem>> select, Func<TItem, KeysetCursor> position, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(page);
        var rows = await source.AfterCursor(page, timestamp, id).Select(select).ToListAsync(ct);
        return page.Slice(rows, position);
    }

    /// <summary>
    /// <c>row => (timestamp(row), id(row)) &lt; (after.Timestamp, after.Id)</c>: a row-value comparison, the keyset order's
    /// own, which an index on both columns serves (two separate comparisons joined by OR would not use it as well).
    /// </summary>
    private static Expression<Func<TRow, bool>> Below<TRow>(
        Expression<Func<TRow, DateTimeOffset>> timestamp, Expression<Func<TRow, Guid>> id, KeysetCursor after)
    {
        Expression<Func<DateTimeOffset, Guid, bool>> below = (t, i) =>
            EF.Functions.LessThan(ValueTuple.Create(t, i), ValueTuple.Create(after.Timestamp, after.Id));
        var row = timestamp.Parameters[0];
        var body = new Substitution(new Dictionary<ParameterExpression, Expression>
        {
            [below.Parameters[0]] = timestamp.Body,
            [below.Parameters[1]] = new Substitution(new Dictionary<ParameterExpression, Expression> { [id.Parameters[0]] = row }).Visit(id.Body),
        }).Visit(below.Body);
        return Expression.Lambda<Func<TRow, bool>>(body, row);
    }

    /// <summary>Puts expressions in place of lambda parameters, to splice one lambda's body into another.</summary>
    private sealed class Substitution(Dictionary<ParameterExpression, Expression> replacements) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) =>
            replacements.TryGetValue(node, out var replacement) ? replacement : node;
    }
}
