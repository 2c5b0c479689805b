using BenchMesh.ServiceDefaults.Workspaces;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace BenchMesh.Suites.Grpc;

/// <summary>
/// Refuses gRPC calls without the internal token (<c>BenchMesh:InternalToken</c>) as UNAUTHENTICATED: the catalog
/// serves every workspace's agents and their (encrypted) credentials, so only BenchMesh's own services may call it.
/// The token travels as metadata under <see cref="MetadataKey"/>, attached by the one client (services/Catalog). No
/// token configured: the check is off, as for the HTTP routes (<see cref="CallerEndpointExtensions.UseCallers"/>).
/// </summary>
public sealed class InternalTokenInterceptor(IConfiguration configuration) : Interceptor
{
    /// <summary>The header of the HTTP routes, lower-cased as gRPC metadata keys are.</summary>
    public static readonly string MetadataKey = CallerHeaders.InternalToken.ToLowerInvariant();

    private readonly string? _token = configuration[CallerEndpointExtensions.InternalTokenKey];

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authenticate(ServerCallContext context)
    {
        if (string.IsNullOrEmpty(_token) || CallerHeaders.IsInternalTokenValid(context.RequestHeaders.GetValue(MetadataKey), _token))
        {
            return;
        }

        throw new RpcException(new Status(StatusCode.Unauthenticated, "The internal token is missing or wrong."));
    }
}
