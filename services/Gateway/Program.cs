using BenchMesh.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPublicApiRateLimit();
builder.AddPublicApiProxy();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapGatewayIndex();
app.MapReverseProxy();

app.Run();
