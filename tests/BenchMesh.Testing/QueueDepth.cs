using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BenchMesh.Testing;

public static class QueueDepth
{
    /// <summary>Messages ready in <paramref name="queue"/> of the virtual host <paramref name="amqpUri"/>; 0 when it does not exist.</summary>
    public static async Task<uint> OfAsync(string amqpUri, string queue) => (await DeclarePassiveAsync(amqpUri, queue))?.MessageCount ?? 0;

    /// <summary>
    /// Consumers attached to <paramref name="queue"/> (0 when it does not exist): a worker counts once it consumes, which
    /// is what a test that hands it work needs, rather than once it answers its health check.
    /// </summary>
    public static async Task<uint> ConsumersOfAsync(string amqpUri, string queue) => (await DeclarePassiveAsync(amqpUri, queue))?.ConsumerCount ?? 0;

    /// <summary>The queue's counts, or null when it does not exist.</summary>
    private static async Task<QueueDeclareOk?> DeclarePassiveAsync(string amqpUri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }
}
