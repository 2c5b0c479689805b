namespace BenchMesh.Messaging.Resilience;

/// <summary>
/// How long work that calls no agent waits out a failing dependency (configuration section
/// <c>Messaging:TransientRetry</c>): waits that double from <see cref="FirstIntervalSeconds"/> up to
/// <see cref="MaxIntervalSeconds"/>, until they add up to <see cref="BudgetSeconds"/>. The default rides out a restart
/// of PostgreSQL or RabbitMQ of up to five minutes.
/// </summary>
public sealed class TransientRetryOptions
{
    public const string Section = "Messaging:TransientRetry";

    public double BudgetSeconds { get; set; } = 300;
    public double FirstIntervalSeconds { get; set; } = 1;
    public double MaxIntervalSeconds { get; set; } = 30;

    /// <summary>The waits between attempts: 1, 2, 4, 8, 16, 30, 30, ... seconds, adding up to at least the budget.</summary>
    public IReadOnlyList<TimeSpan> Intervals()
    {
        var intervals = new List<TimeSpan>();
        var next = Math.Max(0.01, FirstIntervalSeconds);
        var max = Math.Max(next, MaxIntervalSeconds);
        for (var total = 0.0; total < BudgetSeconds; total += next, next = Math.Min(next * 2, max))
        {
            intervals.Add(TimeSpan.FromSeconds(next));
        }

        return intervals;
    }

    /// <summary>The budget in words, for the errors a person reads ("5 minutes", "40 seconds").</summary>
    public string BudgetText() => DurationText(TimeSpan.FromSeconds(BudgetSeconds));

    public static string DurationText(TimeSpan duration)
    {
        var (amount, unit) = duration.TotalSeconds < 90 ? (Math.Max(1, Math.Round(duration.TotalSeconds)), "second")
            : duration.TotalMinutes < 90 ? (Math.Round(duration.TotalMinutes), "minute")
            : (Math.Round(duration.TotalHours, 1), "hour");
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{amount:0.#} {unit}{(amount == 1 ? "" : "s")}");
    }
}
