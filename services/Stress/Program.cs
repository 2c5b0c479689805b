using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Stress.Apis;
using BenchMesh.Stress.Extensions;

// Unlike the CLI (cli/BenchMesh.Cli/SocketEngineDefaults.cs), this process does not turn on inline socket completions
// (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS): besides the load engine it runs Kestrel's API, EF Core on Npgsql,
// MassTransit on RabbitMQ and the outbox relay, and inline, their continuations would run on the one epoll thread every
// socket shares, so one blocking step anywhere would stall the load and the API alike (the app-wide timeouts reported
// in dotnet/aspnetcore#28356), and the load's figures would carry the API's work. Its GC is set in the csproj.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.UseCallers();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapStressApi();
app.Run();
