using BenchMesh.Gateway;
using BenchMesh.Gateway.Apis;
using BenchMesh.Gateway.Data;
using BenchMesh.Gateway.Keys;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayTraceSampling();
builder.Services.AddSingleton(TimeProvider.System);
// Workspaces and API keys (migrations first), then the operator key bootstrap that needs them.
builder.AddBenchMeshDbContext<GatewayDbContext>(ResourceNames.GatewayDb, GatewayDbContext.DefaultDatabase);
builder.Services.AddHostedService<OperatorKeyBootstrap>();
builder.AddApiKeyAuthentication();
builder.AddPublicApiRateLimit();
builder.AddPublicApiProxy();
builder.AddApiETags();

var app = builder.Build();

app.UseProblemDetailsErrors();
// Authentication before the rate limiter, which partitions by the authenticated key.
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapGatewayIndex();
app.MapWorkspacesApi();
app.MapReverseProxy();
app.MapDashboard();

app.Run();
