using BenchMesh.Regression.Apis;
using BenchMesh.Regression.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapRegressionsApi();
app.Run();
