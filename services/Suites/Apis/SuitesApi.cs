using System.Text.Json;
using BenchMesh.Contracts.Runs;
using BenchMesh.Suites.Data;
using BenchMesh.Suites.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using DatasetItem = BenchMesh.Suites.Data.DatasetItem;

namespace BenchMesh.Suites.Apis;

/// <summary>The suite catalog: <c>/suites</c> (docs/api.md, "Suites").</summary>
public static class SuitesApi
{
    /// <summary>The category of a suite that names none; a benchmark without one takes its suite's.</summary>
    public const string DefaultCategory = "general";

    public const string DefaultVersion = "1";

    public static IEndpointRouteBuilder MapSuitesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/suites").WithTags("Suites");
        api.MapPost("/", CreateSuite).WithName("CreateSuite").WithSummary("Create a suite with its benchmarks and datasets");
        api.MapGet("/", ListSuites).WithName("ListSuites").WithSummary("List suites (without dataset items)");
        api.MapGet("/{suite_id}", GetSuite).WithName("GetSuite").WithSummary("Read one suite with its dataset items");
        return app;
    }

    public static async Task<Results<Created<SuiteResponse>, ValidationProblem>> CreateSuite(
        CreateSuiteRequest request, SuitesDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = SuiteValidator.Validate(request);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var suite = NewSuite(request, clock.StorageNow());
        db.Suites.Add(suite);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/suites/{suite.SuiteId}", SuiteResponse.From(suite, withItems: true));
    }

    public static async Task<Ok<SuiteListResponse>> ListSuites(
        [FromQuery(Name = "workspace_id")] string? workspaceId,
        [FromQuery] string? category,
        SuitesDbContext db,
        CancellationToken cancellationToken)
    {
        // Items stay in the database: a listing carries item_count only.
        var query = db.Suites.AsNoTracking().Include(s => s.Benchmarks).AsQueryable();
        if (!string.IsNullOrWhiteSpace(workspaceId))
        {
            query = query.Where(s => s.WorkspaceId == workspaceId);
        }

        if (!string.IsNullOrWhiteSpace(category))
        {
            query = query.Where(s => s.Category == category);
        }

        var suites = await query.OrderBy(s => s.CreatedAt).ThenBy(s => s.SuiteId).AsSplitQuery().ToListAsync(cancellationToken);
        return TypedResults.Ok(new SuiteListResponse([.. suites.Select(s => SuiteResponse.From(s, withItems: false))]));
    }

    public static async Task<Results<Ok<SuiteResponse>, ProblemHttpResult>> GetSuite(
        [FromRoute(Name = "suite_id")] string suiteId, SuitesDbContext db, CancellationToken cancellationToken) =>
        await db.FindSuiteAsync(suiteId, cancellationToken) is { } suite
            ? TypedResults.Ok(SuiteResponse.From(suite, withItems: true))
            : TypedResults.Problem(title: "Suite not found.", detail: $"There is no suite '{suiteId}'.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>The suite a valid request describes, with every default applied.</summary>
    private static Suite NewSuite(CreateSuiteRequest request, DateTimeOffset now)
    {
        var defaults = new BenchmarkConstraints();
        var suiteId = Guid.CreateVersion7();
        var category = string.IsNullOrWhiteSpace(request.Category) ? DefaultCategory : request.Category.Trim();
        return new Suite
        {
            SuiteId = suiteId,
            Name = request.Name!.Trim(),
            Description = request.Description,
            Category = category,
            Version = string.IsNullOrWhiteSpace(request.Version) ? DefaultVersion : request.Version.Trim(),
            WorkspaceId = string.IsNullOrWhiteSpace(request.WorkspaceId) ? null : request.WorkspaceId.Trim(),
            CreatedAt = now,
            RegressionThresholds = request.RegressionThresholds is { ValueKind: JsonValueKind.Object } thresholds && thresholds.EnumerateObject().Any()
                ? thresholds.GetRawText()
                : null,
            Benchmarks = [.. request.Benchmarks!.Select((b, ordinal) =>
            {
                var benchmarkId = Guid.CreateVersion7();
                var items = b!.Dataset?.Items ?? [];
                return new Benchmark
                {
                    BenchmarkId = benchmarkId,
                    SuiteId = suiteId,
                    Ordinal = ordinal,
                    Name = b.Name!.Trim(),
                    Description = b.Description,
                    Category = string.IsNullOrWhiteSpace(b.Category) ? category : b.Category.Trim(),
                    ScoringRubric = b.ScoringRubric!.Value.GetRawText(),
                    TimeoutSeconds = b.Constraints?.TimeoutSeconds ?? defaults.TimeoutSeconds,
                    TargetLatencyMs = b.Constraints?.TargetLatencyMs ?? defaults.TargetLatencyMs,
                    TargetTokens = b.Constraints?.TargetTokens ?? defaults.TargetTokens,
                    TargetCostUsd = b.Constraints?.TargetCostUsd ?? defaults.TargetCostUsd,
                    MaxTokens = b.Constraints?.MaxTokens ?? defaults.MaxTokens,
                    DatasetName = b.Dataset?.Name,
                    ItemCount = items.Count,
                    Items = [.. items.Select((item, itemOrdinal) => new DatasetItem
                    {
                        BenchmarkId = benchmarkId,
                        Ordinal = itemOrdinal,
                        ItemId = item!.Id!,
                        Input = item.Input!,
                        Expected = item.Expected,
                        ScoringRubric = item.ScoringRubric is { ValueKind: JsonValueKind.Object } rubric ? rubric.GetRawText() : null,
                    })],
                };
            })],
        };
    }
}
