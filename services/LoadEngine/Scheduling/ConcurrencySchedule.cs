namespace BenchMesh.LoadEngine.Scheduling;

/// <summary>
/// The closed model's plan: how many virtual users loop (send, wait for the answer, send again) at each moment.
/// Constant, or ramped linearly through stages; the count at a moment is rounded to the nearest whole user.
/// </summary>
public sealed class ConcurrencySchedule
{
    private readonly double _start;
    private readonly IReadOnlyList<Stage> _stages;

    private ConcurrencySchedule(double start, IReadOnlyList<Stage> stages)
    {
        if (stages.Count == 0 || stages.Any(s => s.Duration <= TimeSpan.Zero || s.Target < 0))
        {
            throw new ArgumentException("A concurrency schedule needs stages with positive durations and non-negative targets.", nameof(stages));
        }

        _start = start;
        _stages = stages;
        Duration = TimeSpan.FromTicks(stages.Sum(s => s.Duration.Ticks));
        Peak = (int)Math.Ceiling(Math.Max(start, stages.Max(s => s.Target)));
    }

    /// <summary>The same number of users for the whole duration.</summary>
    public static ConcurrencySchedule Constant(int users, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(users);
        return new ConcurrencySchedule(users, [new Stage(duration, users)]);
    }

    /// <summary>From <paramref name="startUsers"/>, through each stage's target in turn.</summary>
    public static ConcurrencySchedule Ramping(int startUsers, IReadOnlyList<Stage> stages) => new(startUsers, stages);

    /// <summary>How long the schedule runs.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The most users active at once.</summary>
    public int Peak { get; }

    /// <summary>The users active at <paramref name="offset"/> from the start.</summary>
    public int UsersAt(TimeSpan offset)
    {
        var t = offset.TotalSeconds;
        var from = _start;
        foreach (var stage in _stages)
        {
            var d = stage.Duration.TotalSeconds;
            if (t < d)
            {
                return (int)Math.Round(from + (stage.Target - from) * Math.Max(t, 0) / d, MidpointRounding.AwayFromZero);
            }

            t -= d;
            from = stage.Target;
        }

        return (int)Math.Round(from, MidpointRounding.AwayFromZero);
    }
}
