using BenchMesh.Runner;
using BenchMesh.Runner.Apis;
using BenchMesh.ServiceDefaults.Workspaces;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.UseCallers();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapRunsApi();
app.MapSchedulesApi();
app.MapCoverageApi();
app.Run();
