using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Messaging.Outbox;

/// <summary>A message written in the same transaction as the state change that caused it.</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }

    /// <summary>Assembly-qualified CLR type name of the message (a contracts record).</summary>
    public required string MessageType { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>
    /// The W3C trace parent of the activity that wrote the message, so that the relay's publish continues
    /// the same trace (one run is one trace, from the gateway to the last consumer).
    /// </summary>
    public string? TraceParent { get; set; }
}

/// <summary>A DbContext that holds an outbox.</summary>
public interface IOutboxDbContext
{
    DbSet<OutboxMessage> OutboxMessages { get; }
}

public static class OutboxModelExtensions
{
    /// <summary>Maps the outbox table (<c>outbox_messages</c>) in the context's default schema.</summary>
    /// <param name="modelBuilder">The context's model.</param>
    /// <param name="bodyColumnType">
    /// The body's column type. <c>jsonb</c> by default; <c>text</c> where messages are large: nothing but the relay reads
    /// the body, always whole, so PostgreSQL parsing it into jsonb on insert and printing it back on read is pure cost
    /// (the Runner's <c>BenchmarkExecuted</c> holds every sample, tens of MB; docs/timing.md).
    /// </param>
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder, string bodyColumnType = "jsonb")
    {
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(m => m.MessageId).HasColumnName("message_id");
            e.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(500);
            e.Property(m => m.Body).HasColumnName("body").HasColumnType(bodyColumnType);
            e.Property(m => m.CreatedAt).HasColumnName("created_at");
            e.Property(m => m.SentAt).HasColumnName("sent_at");
            e.Property(m => m.Attempts).HasColumnName("attempts");
            e.Property(m => m.LastError).HasColumnName("last_error");
            e.Property(m => m.TraceParent).HasColumnName("trace_parent").HasMaxLength(128);
            e.HasIndex(m => m.MessageId).IsUnique();
            e.HasIndex(m => m.Id).HasFilter("sent_at IS NULL").HasDatabaseName("ix_outbox_messages_unsent");
        });
        return modelBuilder;
    }

    /// <summary>The JSON the outbox stores <paramref name="message"/> as.</summary>
    public static string SerializeMessage<T>(T message) => System.Text.Json.JsonSerializer.Serialize(message, OutboxRelaySerializer.Options);

    /// <summary>Reads back what <see cref="SerializeMessage{T}"/> wrote.</summary>
    public static T DeserializeMessage<T>(string body) =>
        System.Text.Json.JsonSerializer.Deserialize<T>(body, OutboxRelaySerializer.Options)
        ?? throw new InvalidOperationException($"A stored {typeof(T).Name} is empty.");

    /// <summary>Adds <paramref name="message"/> to the outbox; it is published after SaveChanges commits.</summary>
    public static void AddOutboxMessage<T>(this IOutboxDbContext db, T message, Guid? messageId = null) where T : class =>
        db.AddSerializedOutboxMessage<T>(SerializeMessage(message), messageId);

    /// <summary>
    /// Adds a message already serialized by <see cref="SerializeMessage{T}"/> (a service that also stores the same body
    /// elsewhere serializes a large message once, not twice); it is published after SaveChanges commits.
    /// </summary>
    public static void AddSerializedOutboxMessage<T>(this IOutboxDbContext db, string body, Guid? messageId = null) where T : class
    {
        db.OutboxMessages.Add(new OutboxMessage
        {
            MessageId = messageId ?? Guid.NewGuid(),
            MessageType = typeof(T).AssemblyQualifiedName!,
            Body = body,
            CreatedAt = DateTimeOffset.UtcNow,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        });
    }
}
