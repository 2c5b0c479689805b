using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Suites.Apis;
using BenchMesh.Suites.Extensions;
using BenchMesh.Suites.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.UseCallers();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapAgentsApi();
app.MapSuitesApi();
app.MapGrpcService<SuiteCatalogService>();
app.Run();
