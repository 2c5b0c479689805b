using BenchMesh.Scoring.Apis;
using BenchMesh.Scoring.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapResultsApi();
app.MapProfileApi();
app.MapCostAnalysisApi();
app.Run();
