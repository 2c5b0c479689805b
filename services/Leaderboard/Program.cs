using BenchMesh.Leaderboard.Apis;
using BenchMesh.Leaderboard.Extensions;
using BenchMesh.ServiceDefaults.Workspaces;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.UseCallers();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapLeaderboardApi();
app.MapCompareApi();
app.MapComparisonMatrixApi();
app.Run();
