using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchMesh.Contracts.Runs;
using BenchMesh.Messaging.Outbox;

namespace BenchMesh.Runner.Data;

/// <summary>
/// The JSON of a <see cref="BenchmarkExecuted"/> as the worker stores it, in its results row and in the outbox (one
/// string for both): the outbox's own serialization (<see cref="OutboxModelExtensions.SerializeMessage{T}"/>: web
/// defaults), except that a sample's null fields are left out. A sample of a trivial agent had seven of its eighteen
/// fields null (no TTFT, error, cached tokens, memory, CPU or judgement: a third of its 380 characters), written for
/// every one of up to 100,000 samples and sent to PostgreSQL twice (docs/timing.md, "Fifth pass"). Whoever reads the body
/// back (the outbox relay, <c>POST /benchmarks/runs/{run_id}/retry</c>) deserializes it with the outbox's options, and a
/// field that is not there reads as null: none of <see cref="RawSample"/>'s nullable fields has another default.
/// </summary>
public static class ResultBody
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipNullSampleFields } },
    };

    /// <summary>
    /// From this many samples the body is serialized in <see cref="Environment.ProcessorCount"/> parts at once; below it,
    /// in one pass, as before (about 1 µs a sample: a few milliseconds at most, where parts would add tasks and a copy).
    /// </summary>
    public const int SplitFromSamples = 4096;

    private const string EmptySamples = "\"samples\":[]";

    /// <summary>
    /// The body of <paramref name="executed"/>; from <see cref="SplitFromSamples"/> samples its samples are serialized in
    /// as many parts as the machine has processors, all at once (the worker stores right after its last call, when its
    /// threads are otherwise idle: 100,000 samples took about 90 ms in one pass, docs/timing.md "Sixth pass").
    /// </summary>
    public static string Serialize(BenchmarkExecuted executed) =>
        Serialize(executed, executed.Samples.Count >= SplitFromSamples ? Math.Min(Environment.ProcessorCount, 16) : 1);

    /// <summary>
    /// The same string as one pass of the serializer (<paramref name="parts"/> 1), whatever <paramref name="parts"/>: the
    /// message without its samples is serialized once, each consecutive part of the samples as an array of its own on
    /// the thread pool, and the parts' elements are joined with the commas the serializer writes between elements in
    /// place of the empty array. Elements are serialized by the same converter whichever array holds them, and nothing
    /// is indented. Were <c>"samples":[]</c> not to occur exactly once in the message without its samples (a string's
    /// quotes are always escaped, so only a property could add one), the whole message is serialized in one pass.
    /// </summary>
    public static string Serialize(BenchmarkExecuted executed, int parts)
    {
        var samples = executed.Samples;
        parts = Math.Min(parts, samples.Count);
        if (parts <= 1)
        {
            return JsonSerializer.Serialize(executed, Options);
        }

        var frame = JsonSerializer.Serialize(executed with { Samples = [] }, Options);
        var at = frame.IndexOf(EmptySamples, StringComparison.Ordinal);
        if (at < 0 || frame.IndexOf(EmptySamples, at + 1, StringComparison.Ordinal) >= 0)
        {
            return JsonSerializer.Serialize(executed, Options);
        }

        var json = new string[parts];
        Parallel.For(0, parts, part =>
        {
            var from = (int)((long)samples.Count * part / parts);
            var to = (int)((long)samples.Count * (part + 1) / parts);
            var slice = new RawSample[to - from];
            for (var i = from; i < to; i++)
            {
                slice[i - from] = samples[i];
            }

            json[part] = JsonSerializer.Serialize(slice, Options);
        });

        // frame up to and with "samples":[, the parts without their own brackets joined by commas, then "]" and the rest.
        var open = at + EmptySamples.Length - 1;
        var length = frame.Length + json.Sum(part => part.Length - 2) + (parts - 1);
        return string.Create(length, (frame, open, json), static (span, state) =>
        {
            var (frame, open, json) = state;
            frame.AsSpan(0, open).CopyTo(span);
            var written = open;
            for (var i = 0; i < json.Length; i++)
            {
                if (i > 0)
                {
                    span[written++] = ',';
                }

                var elements = json[i].AsSpan(1, json[i].Length - 2);
                elements.CopyTo(span[written..]);
                written += elements.Length;
            }

            frame.AsSpan(open).CopyTo(span[written..]);
        });
    }

    private static void SkipNullSampleFields(JsonTypeInfo type)
    {
        if (type.Type != typeof(RawSample))
        {
            return;
        }

        foreach (var property in type.Properties)
        {
            if (!property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null)
            {
                property.ShouldSerialize = static (_, value) => value is not null;
            }
        }
    }
}
