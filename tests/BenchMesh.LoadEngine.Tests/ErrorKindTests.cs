using System.Net.Http;
using System.Net.Sockets;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Tests;

public sealed class ErrorKindTests
{
    public static TheoryData<Exception, bool, string> Exceptions => new()
    {
        { new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)), false, ErrorKinds.ConnectionRefused },
        { new HttpRequestException("reset", new IOException("io", new SocketException((int)SocketError.ConnectionReset))), false, ErrorKinds.ConnectionReset },
        { new IOException("aborted", new SocketException((int)SocketError.ConnectionAborted)), false, ErrorKinds.ConnectionReset },
        { new HttpRequestException(HttpRequestError.ResponseEnded, "ended"), false, ErrorKinds.ConnectionReset },
        { new TaskCanceledException("cancelled"), true, ErrorKinds.Timeout },
        { new HttpRequestException("timed out", new SocketException((int)SocketError.TimedOut)), false, ErrorKinds.Timeout },
        { new HttpRequestException(HttpRequestError.InvalidResponse, "garbage"), false, ErrorKinds.Other },
        { new HttpRequestException(HttpRequestError.NameResolutionError, "dns", new SocketException((int)SocketError.HostNotFound)), false, ErrorKinds.Other },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Exceptions_are_classified(Exception exception, bool timedOut, string kind) =>
        Assert.Equal(kind, ErrorKinds.Classify(exception, timedOut));

    [Fact]
    public void Statuses_become_http_kinds() => Assert.Equal("http_503", ErrorKinds.ForStatus(503));
}
