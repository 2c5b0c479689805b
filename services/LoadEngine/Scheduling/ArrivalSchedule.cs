namespace BenchMesh.LoadEngine.Scheduling;

/// <summary>
/// The open model's plan: when each request is meant to start, whatever the responses do. The rate r(t) is piecewise
/// linear (constant, or a ramp through stages); request n (from 0) is intended at the t where the number of arrivals
/// so far, N(t) = ∫r, reaches n, so a constant rate r gives t = n / r, as wrk2 does. Requests are measured from these
/// intended times, which is what keeps a stalled server from hiding its stall (coordinated omission).
/// </summary>
public sealed class ArrivalSchedule
{
    private readonly double[] _stageStartRate;
    private readonly double[] _stageStartSeconds;
    private readonly double[] _stageStartArrivals;
    private readonly IReadOnlyList<Stage> _stages;

    private ArrivalSchedule(double startRate, IReadOnlyList<Stage> stages)
    {
        if (stages.Count == 0)
        {
            throw new ArgumentException("A schedule needs at least one stage.", nameof(stages));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(startRate);
        _stages = stages;
        _stageStartRate = new double[stages.Count];
        _stageStartSeconds = new double[stages.Count];
        _stageStartArrivals = new double[stages.Count];
        double rate = startRate, seconds = 0, arrivals = 0;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            if (stage.Duration <= TimeSpan.Zero || stage.Target < 0 || !double.IsFinite(stage.Target))
            {
                throw new ArgumentException($"Stage {i + 1} needs a positive duration and a non-negative target.", nameof(stages));
            }

            _stageStartRate[i] = rate;
            _stageStartSeconds[i] = seconds;
            _stageStartArrivals[i] = arrivals;
            var d = stage.Duration.TotalSeconds;
            arrivals += (rate + stage.Target) / 2 * d;
            seconds += d;
            rate = stage.Target;
        }

        Duration = TimeSpan.FromSeconds(seconds);
        ExpectedArrivals = arrivals;
    }

    /// <summary>The same rate for the whole duration.</summary>
    public static ArrivalSchedule Constant(double rate, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        return new ArrivalSchedule(rate, [new Stage(duration, rate)]);
    }

    /// <summary>From <paramref name="startRate"/>, through each stage's target in turn.</summary>
    public static ArrivalSchedule Ramping(double startRate, IReadOnlyList<Stage> stages) => new(startRate, stages);

    /// <summary>How long the schedule runs.</summary>
    public TimeSpan Duration { get; }

    /// <summary>∫r over the whole schedule: the number of requests the plan starts (up to rounding up).</summary>
    public double ExpectedArrivals { get; }

    /// <summary>The intended rate at <paramref name="offset"/> from the start (0 after the end).</summary>
    public double RateAt(TimeSpan offset)
    {
        var t = offset.TotalSeconds;
        if (t < 0 || t >= Duration.TotalSeconds)
        {
            return 0;
        }

        var i = StageAtSeconds(t);
        var d = _stages[i].Duration.TotalSeconds;
        return _stageStartRate[i] + (_stages[i].Target - _stageStartRate[i]) * (t - _stageStartSeconds[i]) / d;
    }

    /// <summary>N(t): the arrivals the plan makes up to <paramref name="offset"/>.</summary>
    public double ArrivalsBy(TimeSpan offset)
    {
        var t = Math.Clamp(offset.TotalSeconds, 0, Duration.TotalSeconds);
        if (t >= Duration.TotalSeconds)
        {
            return ExpectedArrivals;
        }

        var i = StageAtSeconds(t);
        var local = t - _stageStartSeconds[i];
        var r0 = _stageStartRate[i];
        var slope = (_stages[i].Target - r0) / _stages[i].Duration.TotalSeconds;
        return _stageStartArrivals[i] + r0 * local + slope * local * local / 2;
    }

    /// <summary>When request <paramref name="n"/> (from 0) is intended to start, or null when the plan has no such request.</summary>
    public TimeSpan? IntendedOffset(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        // A small tolerance, so that 10/s for 1 s makes exactly 10 requests despite floating point.
        if (n >= ExpectedArrivals - 1e-9)
        {
            return null;
        }

        // The last stage starting at or before n; a stage that adds nothing (a rate of 0 held for a while) starts where
        // the next one does, so it is skipped. A plain loop: this runs for every request.
        var i = 0;
        while (i + 1 < _stages.Count && _stageStartArrivals[i + 1] <= n)
        {
            i++;
        }

        var remaining = n - _stageStartArrivals[i];
        var r0 = _stageStartRate[i];
        var d = _stages[i].Duration.TotalSeconds;
        var slope = (_stages[i].Target - r0) / d;
        double local;
        if (Math.Abs(slope) < 1e-12)
        {
            local = remaining / r0;
        }
        else
        {
            // r0·t + slope·t²/2 = remaining, the root inside the stage.
            var discriminant = Math.Max(0, r0 * r0 + 2 * slope * remaining);
            local = (-r0 + Math.Sqrt(discriminant)) / slope;
        }

        return TimeSpan.FromSeconds(_stageStartSeconds[i] + Math.Clamp(local, 0, d));
    }

    private int StageAtSeconds(double t)
    {
        var i = 0;
        while (i + 1 < _stages.Count && _stageStartSeconds[i + 1] <= t)
        {
            i++;
        }

        return i;
    }
}
