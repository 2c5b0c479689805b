using BenchMesh.Stress.Apis;
using BenchMesh.Stress.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapStressApi();
app.Run();
