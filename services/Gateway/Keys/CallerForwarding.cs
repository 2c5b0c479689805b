using BenchMesh.ServiceDefaults.Workspaces;
using Yarp.ReverseProxy.Transforms;

namespace BenchMesh.Gateway.Keys;

/// <summary>
/// What the services learn about the caller (ServiceDefaults/Workspaces): on every proxied request, the X-BenchMesh-*
/// headers a client sent (and its Authorization header) are removed, then the authenticated key's workspace, role and id are added, and the internal
/// token when <c>BenchMesh:InternalToken</c> is configured. A client can therefore never choose its workspace.
/// </summary>
public static class CallerForwarding
{
    public static IReverseProxyBuilder AddCallerForwarding(this IReverseProxyBuilder proxy, IConfiguration configuration)
    {
        var internalToken = configuration[CallerEndpointExtensions.InternalTokenKey];
        return proxy.AddTransforms(transforms => transforms.AddRequestTransform(context =>
        {
            var headers = context.ProxyRequest.Headers;
            // The services never see keys: the caller headers say all they need.
            headers.Authorization = null;
            foreach (var header in CallerHeaders.All)
            {
                headers.Remove(header);
            }

            if (context.HttpContext.User.ToCaller() is { } caller)
            {
                foreach (var (name, value) in caller.Headers())
                {
                    headers.TryAddWithoutValidation(name, value);
                }
            }

            if (!string.IsNullOrEmpty(internalToken))
            {
                headers.TryAddWithoutValidation(CallerHeaders.InternalToken, internalToken);
            }

            return ValueTask.CompletedTask;
        }));
    }
}
