using BenchMesh.Scoring.Apis;
using BenchMesh.Scoring.Extensions;
using BenchMesh.ServiceDefaults.Workspaces;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.UseCallers();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapResultsApi();
app.MapProfileApi();
app.MapCostAnalysisApi();
app.Run();
