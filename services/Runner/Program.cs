using BenchMesh.Runner;
using BenchMesh.Runner.Apis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapRunsApi();
app.MapSchedulesApi();
app.MapCoverageApi();
app.Run();
