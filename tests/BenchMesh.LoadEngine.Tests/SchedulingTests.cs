using BenchMesh.LoadEngine.Scheduling;

namespace BenchMesh.LoadEngine.Tests;

public sealed class SchedulingTests
{
    [Fact]
    public void A_constant_rate_starts_request_n_at_n_over_rate_and_makes_rate_times_duration_requests()
    {
        var schedule = ArrivalSchedule.Constant(10, TimeSpan.FromSeconds(1));

        var offsets = Offsets(schedule);

        Assert.Equal(10, offsets.Count);
        for (var n = 0; n < 10; n++)
        {
            Assert.Equal(n / 10.0, offsets[n].TotalSeconds, 9);
        }

        Assert.Null(schedule.IntendedOffset(10));
        Assert.Equal(10, schedule.ExpectedArrivals, 9);
    }

    [Fact]
    public void A_linear_ramp_from_zero_places_arrivals_on_the_integral_of_the_rate()
    {
        // 0 → 100 req/s over 10 s: N(t) = 5t², so request n starts at √(n/5) and the run makes 500.
        var schedule = ArrivalSchedule.Ramping(0, [new Stage(TimeSpan.FromSeconds(10), 100)]);

        var offsets = Offsets(schedule);

        Assert.Equal(500, offsets.Count);
        Assert.Equal(Math.Sqrt(20 / 5.0), offsets[20].TotalSeconds, 9);
        Assert.Equal(5, offsets.Count(o => o.TotalSeconds < 1));
        Assert.Equal(95, offsets.Count(o => o.TotalSeconds >= 9));
        Assert.True(offsets.Zip(offsets.Skip(1)).All(pair => pair.First <= pair.Second));
        Assert.Equal(50, schedule.RateAt(TimeSpan.FromSeconds(5)), 9);
    }

    [Fact]
    public void Stages_chain_hold_and_ramp_down_and_a_zero_rate_stage_sends_nothing()
    {
        // 1 s ramp 0 → 20, 1 s hold at 20, 1 s at 0 (ramp down 20 → 0), 1 s hold at 0, 1 s ramp 0 → 10.
        var schedule = ArrivalSchedule.Ramping(0,
        [
            new Stage(TimeSpan.FromSeconds(1), 20),
            new Stage(TimeSpan.FromSeconds(1), 20),
            new Stage(TimeSpan.FromSeconds(1), 0),
            new Stage(TimeSpan.FromSeconds(1), 0),
            new Stage(TimeSpan.FromSeconds(1), 10),
        ]);

        var offsets = Offsets(schedule);

        Assert.Equal(TimeSpan.FromSeconds(5), schedule.Duration);
        Assert.Equal(10 + 20 + 10 + 0 + 5, offsets.Count);
        Assert.Equal(20, offsets.Count(o => o.TotalSeconds is >= 1 and < 2));
        Assert.DoesNotContain(offsets, o => o.TotalSeconds is > 3.0001 and < 4);
        Assert.Equal(5, offsets.Count(o => o.TotalSeconds >= 4));
        Assert.Equal(20, schedule.RateAt(TimeSpan.FromSeconds(1.5)));
        Assert.Equal(10, schedule.RateAt(TimeSpan.FromSeconds(2.5)));
    }

    [Fact]
    public void Concurrency_ramps_linearly_and_holds_its_last_target()
    {
        var schedule = ConcurrencySchedule.Ramping(1, [new Stage(TimeSpan.FromSeconds(10), 11), new Stage(TimeSpan.FromSeconds(5), 11)]);

        Assert.Equal(1, schedule.UsersAt(TimeSpan.Zero));
        Assert.Equal(6, schedule.UsersAt(TimeSpan.FromSeconds(5)));
        Assert.Equal(11, schedule.UsersAt(TimeSpan.FromSeconds(12)));
        Assert.Equal(11, schedule.UsersAt(TimeSpan.FromSeconds(60)));
        Assert.Equal(11, schedule.Peak);
        Assert.Equal(TimeSpan.FromSeconds(15), schedule.Duration);
    }

    [Theory]
    [InlineData("10s:100,1m:500", 2)]
    [InlineData(" 500ms:0 ", 1)]
    public void Stages_parse(string text, int count) => Assert.Equal(count, Stage.ParseList(text).Count);

    [Theory]
    [InlineData("10:100", "stage '10:100'")]
    [InlineData("10s", "stage '10s'")]
    [InlineData("0s:5", "stage '0s:5'")]
    [InlineData("5s:-1", "stage '5s:-1'")]
    [InlineData(",", "has no stages")]
    public void Bad_stages_are_named(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => Stage.ParseList(text));
        Assert.Contains(expected, error.Message);
    }

    private static List<TimeSpan> Offsets(ArrivalSchedule schedule)
    {
        var offsets = new List<TimeSpan>();
        for (long n = 0; schedule.IntendedOffset(n) is { } offset; n++)
        {
            offsets.Add(offset);
        }

        return offsets;
    }
}
