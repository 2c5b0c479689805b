using BenchMesh.Regression.Apis;
using BenchMesh.Regression.Extensions;
using BenchMesh.ServiceDefaults.Workspaces;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.UseCallers();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapRegressionsApi();
app.Run();
