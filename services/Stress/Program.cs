using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Stress.Apis;
using BenchMesh.Stress.Extensions;

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
