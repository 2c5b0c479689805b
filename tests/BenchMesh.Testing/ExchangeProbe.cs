using System.Text.Json;
using RabbitMQ.Client;

namespace BenchMesh.Testing;

/// <summary>
/// What an outside subscriber sees: its own queue bound to an event's fanout exchange, read with plain
/// RabbitMQ.Client (no MassTransit), exactly as docs/events.md tells event consumers to do.
/// </summary>
public sealed class ExchangeProbe : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;

    private ExchangeProbe(IConnection connection, IChannel channel, string queue) =>
        (_connection, _channel, _queue) = (connection, channel, queue);

    public static async Task<ExchangeProbe> BindAsync(string amqpUri, string exchange)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        // The same declaration MassTransit makes, so whichever comes first the exchange is the same.
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue.QueueName, exchange, routingKey: "");
        return new ExchangeProbe(connection, channel, queue.QueueName);
    }

    /// <summary>The next message, or null when the queue is empty.</summary>
    public async Task<ReceivedMessage?> TryGetAsync()
    {
        var result = await _channel.BasicGetAsync(_queue, autoAck: true);
        return result is null
            ? null
            : new ReceivedMessage(
                result.BasicProperties.ContentType,
                JsonDocument.Parse(result.Body).RootElement.Clone(),
                (result.BasicProperties.Headers ?? new Dictionary<string, object?>()).ToDictionary(
                    h => h.Key,
                    h => h.Value switch { byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes), null => "", var v => v.ToString() ?? "" }));
    }

    public Task<ReceivedMessage> NextAsync(TimeSpan timeout, string what) => Eventually.GetAsync(TryGetAsync, timeout, what);

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>A message as an AMQP consumer receives it: content type, the JSON envelope and the transport headers.</summary>
public sealed record ReceivedMessage(string? ContentType, JsonElement Envelope, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Message => Envelope.GetProperty("message");
}
