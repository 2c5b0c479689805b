using BenchMesh.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPublicApiRateLimit();
builder.AddPublicApiProxy();
builder.AddApiETags();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapGatewayIndex();
app.MapReverseProxy();
app.MapDashboard();

app.Run();
