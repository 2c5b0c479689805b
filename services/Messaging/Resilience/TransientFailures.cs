using BenchMesh.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using RabbitMQ.Client.Exceptions;

namespace BenchMesh.Messaging.Resilience;

/// <summary>
/// Which failures pass by themselves (a restart of PostgreSQL or RabbitMQ, Suites redeploying), and how to name a
/// failure in words for the people reading a run's report.
/// </summary>
public static class TransientFailures
{
    /// <summary>
    /// True when <paramref name="exception"/>, or one it wraps, says a server or service did not answer: Npgsql's own
    /// classification (connection refused, 57P01 admin shutdown, 08xxx, serialization failures; npgsql
    /// <c>PostgresException.IsTransient</c>), EF's retrying strategy giving up (<see cref="RetryLimitExceededException"/>),
    /// the broker's connection errors, timeouts, and exceptions marked <see cref="ITransientFailure"/>. The chain is walked
    /// because EF and MassTransit wrap the Npgsql error (<c>InvalidOperationException</c>, <c>DbUpdateException</c>).
    /// Redis is not listed: its only user (the leaderboard cache) carries on without it.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Any(IsTransient);
            }

            if (e switch
                {
                    NpgsqlException npgsql => npgsql.IsTransient,
                    RetryLimitExceededException or TimeoutException or ITransientFailure => true,
                    ConnectionException or BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException => true,
                    _ => false,
                })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The cause of a failure that crossed the bus (a <see cref="Fault"/>'s exceptions, which carry type names as text),
    /// in words: "the database was unavailable" for any PostgreSQL failure, and so on; otherwise the exception's message.
    /// Never the exception's type name.
    /// </summary>
    public static string Describe(ExceptionInfo? exception) => Describe(Chain(exception, e => e.InnerException)
        .Select(e => (e.ExceptionType ?? "", e.Message ?? "")));

    /// <summary>The cause of <paramref name="exception"/> in words, as <see cref="Describe(ExceptionInfo?)"/> says it.</summary>
    public static string Describe(Exception? exception) => Describe(Chain(exception, e => e.InnerException)
        .Select(e => (e.GetType().FullName ?? "", e.Message)));

    private static string Describe(IEnumerable<(string Type, string Message)> chain)
    {
        string? outermost = null;
        foreach (var (type, message) in chain)
        {
            outermost ??= message;
            if (type.StartsWith("Npgsql.", StringComparison.Ordinal)
                || type.EndsWith(nameof(RetryLimitExceededException), StringComparison.Ordinal)
                || message.Contains("transient failure", StringComparison.OrdinalIgnoreCase))
            {
                return "the database was unavailable";
            }

            if (type.StartsWith("RabbitMQ.", StringComparison.Ordinal) || type.EndsWith(nameof(ConnectionException), StringComparison.Ordinal))
            {
                return "the message broker was unavailable";
            }

            if (type.EndsWith("SuiteCatalogUnavailableException", StringComparison.Ordinal))
            {
                return "the suite catalog (Suites) was unavailable";
            }

            if (type.EndsWith(nameof(TimeoutException), StringComparison.Ordinal))
            {
                return "an operation timed out";
            }
        }

        return string.IsNullOrWhiteSpace(outermost) ? "no reason was given" : outermost.Trim();
    }

    private static IEnumerable<T> Chain<T>(T? first, Func<T, T?> next) where T : class
    {
        for (var e = first; e is not null; e = next(e))
        {
            yield return e;
        }
    }
}
