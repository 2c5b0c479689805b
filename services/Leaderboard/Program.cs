using BenchMesh.Leaderboard.Apis;
using BenchMesh.Leaderboard.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseProblemDetailsErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapLeaderboardApi();
app.MapCompareApi();
app.MapComparisonMatrixApi();
app.Run();
