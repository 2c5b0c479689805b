using System.Buffers;
using System.Net;

namespace BenchMesh.Gateway;

/// <summary>
/// A proxied answer's body held in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (see <see cref="ApiETags"/>,
/// which needs the whole body before it can send its ETag). The buffer goes back to the pool, once, when the stream YARP
/// copies the body from is disposed (after a successful copy YARP disposes that stream but not the response) or when
/// the content is disposed (YARP disposes the response when it sends no body, e.g. a 304, and on errors).
/// </summary>
public sealed class BufferedBody : HttpContent
{
    /// <summary>The first buffer when the upstream sends no Content-Length (a chunked answer).</summary>
    private const int InitialSize = 16 * 1024;

    private byte[]? _buffer;

    private BufferedBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    /// <summary>The body's bytes; valid until the content is disposed.</summary>
    public ReadOnlySpan<byte> Span => Memory.Span;

    private ReadOnlyMemory<byte> Memory => new(_buffer ?? throw new ObjectDisposedException(nameof(BufferedBody)), 0, Length);

    /// <summary>Reads <paramref name="content"/> to its end into a pooled buffer (the buffer is returned if reading fails).</summary>
    public static async Task<BufferedBody> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        var buffer = ArrayPool<byte>.Shared.Rent(declared > 0 && declared <= Array.MaxLength ? (int)declared.Value : InitialSize);
        var length = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(checked(buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return new BufferedBody(buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Memory).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(Memory, cancellationToken).AsTask();

    protected override Task<Stream> CreateContentReadStreamAsync() =>
        Task.FromResult<Stream>(new BodyStream(this, _buffer ?? throw new ObjectDisposedException(nameof(BufferedBody)), Length));

    protected override bool TryComputeLength(out long length)
    {
        length = Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
        }

        base.Dispose(disposing);
    }

    /// <summary>Returns the buffer to the pool, once only: a buffer returned twice could be handed to two renters at once.</summary>
    private void Release()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The body as a read-only stream; disposing it releases the buffer (nothing reads the body after that).</summary>
    private sealed class BodyStream(BufferedBody owner, byte[] buffer, int length) : MemoryStream(buffer, 0, length, writable: false)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                owner.Release();
            }
        }
    }
}
