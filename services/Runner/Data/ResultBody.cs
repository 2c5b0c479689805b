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

    public static string Serialize(BenchmarkExecuted executed) => JsonSerializer.Serialize(executed, Options);

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
