using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BenchMesh.Testing;

public static class QueueDepth
{
    /// <summary>Messages ready in <paramref name="queue"/> of the virtual host <paramref name="amqpUri"/>; 0 when it does not exist.</summary>
    public static async Task<uint> OfAsync(string amqpUri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }
}
