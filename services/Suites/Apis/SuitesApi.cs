using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Datasets;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Suites.Data;
using BenchMesh.Suites.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using DatasetItem = BenchMesh.Suites.Data.DatasetItem;

namespace BenchMesh.Suites.Apis;

/// <summary>
/// The suite catalog: <c>/suites</c> (docs/api.md, "Suites"). Suites belong to the caller's workspace; a caller sees its
/// own and the public ones. Others answer 404, as if they did not exist.
/// </summary>
public static class SuitesApi
{
    /// <summary>
    /// The category of a suite that names none: a suite that does not say what it measures is taken to measure
    /// everything. A benchmark without one takes its suite's.
    /// </summary>
    public const string DefaultCategory = SuiteCategories.Comprehensive;

    public const string DefaultVersion = "1";

    public static IEndpointRouteBuilder MapSuitesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/suites").WithTags("Suites").RequireCaller();
        api.MapPost("/", CreateSuite).WithName("CreateSuite").WithSummary("Create a suite with its benchmarks and datasets");
        api.MapGet("/", ListSuites).WithName("ListSuites").WithSummary("List the workspace's suites and the public ones (without dataset items)");
        api.MapGet("/{suite_id}", GetSuite).WithName("GetSuite").WithSummary("Read one suite with its dataset items");
        return app;
    }

    public static async Task<Results<Created<SuiteResponse>, ValidationProblem, ProblemHttpResult>> CreateSuite(
        CreateSuiteRequest request, Caller caller, SuitesDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = SuiteValidator.Validate(request).SameWorkspace(request.WorkspaceId, caller);
        if (errors.IsValid)
        {
            await ValidateAgentReferencesAsync(request, caller, db, errors, cancellationToken);
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var suite = NewSuite(request, caller.WorkspaceId, clock.StorageNow());
        if (await TakenBenchmarkIdAsync(suite, db, cancellationToken) is { } taken)
        {
            return BenchmarkIdTaken(taken);
        }

        db.Suites.Add(suite);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent suite with the same client-given benchmark_id won the race past the check above.
            return BenchmarkIdTaken(null);
        }

        return TypedResults.Created($"/suites/{suite.SuiteId}", SuiteResponse.From(suite, withItems: true));
    }

    public static async Task<Ok<SuiteListResponse>> ListSuites(
        [FromQuery(Name = "workspace_id")] string? workspaceId,
        [FromQuery] string? category,
        Caller caller,
        SuitesDbContext db,
        CancellationToken cancellationToken)
    {
        // Items stay in the database: a listing carries item_count only.
        var query = db.Suites.AsNoTracking().Include(s => s.Benchmarks).VisibleTo(caller);
        // Narrows what the caller sees: another workspace's id lists that workspace's public suites.
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
        [FromRoute(Name = "suite_id")] string suiteId, Caller caller, SuitesDbContext db, CancellationToken cancellationToken) =>
        await db.FindSuiteAsync(suiteId, cancellationToken) is { } suite && caller.CanSee(suite.WorkspaceId, suite.IsPublic)
            ? TypedResults.Ok(SuiteResponse.From(suite, withItems: true))
            : TypedResults.Problem(title: "Suite not found.", detail: $"There is no suite '{suiteId}'.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// What only the registry can tell: that a model-graded rubric's judge is a registered openai-chat agent, and
    /// that a baseline names a registered agent (a mistyped id would silently never match an execution). Only agents the
    /// caller can see count: another workspace's private agent is as unknown here as everywhere else.
    /// </summary>
    private static async Task ValidateAgentReferencesAsync(
        CreateSuiteRequest request, Caller caller, SuitesDbContext db, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var judges = new List<(string Path, Guid AgentId)>();
        var benchmarks = request.Benchmarks!;
        for (var b = 0; b < benchmarks.Count; b++)
        {
            AddJudge(benchmarks[b]!.ScoringRubric, $"benchmarks[{b}].scoring_rubric", judges);
            var items = benchmarks[b]!.Dataset?.Items ?? [];
            for (var i = 0; i < items.Count; i++)
            {
                AddJudge(items[i]!.ScoringRubric, $"benchmarks[{b}].dataset.items[{i}].scoring_rubric", judges);
            }
        }

        var baselines = (request.BaselineScores ?? []).Select((baseline, i) => (Path: $"baseline_scores[{i}]", AgentId: Guid.Parse(baseline!.AgentId!))).ToList();
        var ids = judges.Select(j => j.AgentId).Concat(baselines.Select(b => b.AgentId)).Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var protocols = await db.Agents.AsNoTracking()
            .VisibleTo(caller)
            .Where(a => ids.Contains(a.AgentId))
            .ToDictionaryAsync(a => a.AgentId, a => a.Protocol, cancellationToken);
        foreach (var (path, agentId) in judges)
        {
            if (!protocols.TryGetValue(agentId, out var protocol))
            {
                errors.Add($"{path}.judge_agent_id", $"names no registered agent ('{agentId}'); register the judge first.");
            }
            else if (protocol != AgentProtocols.OpenAiChat)
            {
                errors.Add($"{path}.judge_agent_id", $"is a {protocol} agent; a judge must be an {AgentProtocols.OpenAiChat} agent.");
            }
        }

        foreach (var (path, agentId) in baselines.Where(b => !protocols.ContainsKey(b.AgentId)))
        {
            errors.Add($"{path}.agent_id", $"names no registered agent ('{agentId}').");
        }
    }

    private static void AddJudge(JsonElement? rubric, string path, List<(string Path, Guid AgentId)> judges)
    {
        if (rubric is { ValueKind: JsonValueKind.Object } value
            && value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == RubricTypes.ModelGraded
            && Guid.TryParse(value.GetProperty("judge_agent_id").GetString(), out var agentId))
        {
            judges.Add((path, agentId));
        }
    }

    /// <summary>A client-given benchmark_id already used by another suite (benchmark ids identify results everywhere), or null.</summary>
    private static async Task<Guid?> TakenBenchmarkIdAsync(Suite suite, SuitesDbContext db, CancellationToken cancellationToken)
    {
        var ids = suite.Benchmarks.Select(b => b.BenchmarkId).ToList();
        var taken = await db.Benchmarks.AsNoTracking().Where(b => ids.Contains(b.BenchmarkId)).Select(b => (Guid?)b.BenchmarkId)
            .FirstOrDefaultAsync(cancellationToken);
        return taken;
    }

    private static ProblemHttpResult BenchmarkIdTaken(Guid? benchmarkId) =>
        TypedResults.Problem(
            title: "Benchmark id already exists.",
            detail: benchmarkId is { } id
                ? $"Another suite already has a benchmark '{id}'; a benchmark_id identifies one benchmark across BenchMesh."
                : "Another suite already has one of these benchmark ids; a benchmark_id identifies one benchmark across BenchMesh.",
            statusCode: StatusCodes.Status409Conflict);

    /// <summary>The suite a valid request describes, with every default applied.</summary>
    private static Suite NewSuite(CreateSuiteRequest request, string workspaceId, DateTimeOffset now)
    {
        var suiteId = Guid.CreateVersion7();
        var category = string.IsNullOrWhiteSpace(request.Category) ? DefaultCategory : request.Category.Trim();
        return new Suite
        {
            SuiteId = suiteId,
            Name = request.EffectiveName!.Trim(),
            Description = request.Description,
            Category = category,
            Version = string.IsNullOrWhiteSpace(request.Version) ? DefaultVersion : request.Version.Trim(),
            WorkspaceId = workspaceId,
            IsPublic = request.IsPublic ?? false,
            CreatedAt = now,
            RegressionThresholds = request.RegressionThresholds is { ValueKind: JsonValueKind.Object } thresholds && thresholds.EnumerateObject().Any()
                ? thresholds.GetRawText()
                : null,
            BaselineScores = request.BaselineScores is { Count: > 0 } baselines
                ? JsonSerializer.Serialize(
                    baselines.Select(b => new AgentBaseline(Guid.Parse(b!.AgentId!), b.Scores!)).ToList(), AgentBaseline.StorageJson)
                : null,
            Metadata = MetadataText(request.Metadata),
            Benchmarks = [.. request.Benchmarks!.Select((b, ordinal) => NewBenchmark(b!, suiteId, ordinal, category))],
        };
    }

    private static Benchmark NewBenchmark(BenchmarkRequest b, Guid suiteId, int ordinal, string suiteCategory)
    {
        var defaults = new BenchmarkConstraints();
        var benchmarkId = b.BenchmarkId is null ? Guid.CreateVersion7() : Guid.Parse(b.BenchmarkId);
        var items = b.Dataset?.Items ?? [];
        var benchmark = new Benchmark
        {
            BenchmarkId = benchmarkId,
            SuiteId = suiteId,
            Ordinal = ordinal,
            Name = b.Name!.Trim(),
            Description = b.Description,
            Category = string.IsNullOrWhiteSpace(b.Category) ? suiteCategory : b.Category.Trim(),
            TestType = b.TestType,
            MetricsMeasured = [.. b.MetricsMeasured?.Select(m => m!) ?? []],
            ScoringRubric = b.ScoringRubric!.Value.GetRawText(),
            TimeoutSeconds = b.Constraints?.TimeoutSeconds ?? defaults.TimeoutSeconds,
            TargetLatencyMs = b.Constraints?.TargetLatencyMs ?? defaults.TargetLatencyMs,
            TargetTokens = b.Constraints?.TargetTokens ?? defaults.TargetTokens,
            TargetCostUsd = b.Constraints?.TargetCostUsd ?? defaults.TargetCostUsd,
            MaxTokens = b.Constraints?.MaxTokens ?? defaults.MaxTokens,
            TimeLimitMs = b.Constraints?.TimeLimitMs,
            TotalTimeLimitMs = b.Constraints?.TotalTimeLimitMs,
            MemoryLimitMb = b.Constraints?.MemoryLimitMb,
            TokenLimit = b.Constraints?.TokenLimit,
            CostLimitUsd = b.Constraints?.CostLimitUsd,
            DatasetName = b.Dataset?.Name,
            DatasetComplexity = b.Dataset?.Complexity,
            DatasetSource = b.Dataset?.DataSource,
            DatasetContentHash = "",
            ItemCount = items.Count,
            Items = [.. items.Select((item, itemOrdinal) => NewItem(item!, benchmarkId, itemOrdinal, b.ExpectedOutputs?[itemOrdinal]))],
            BaselineScores = b.BaselineScores is { Count: > 0 } scores ? JsonSerializer.Serialize(scores) : null,
            Metadata = MetadataText(b.Metadata),
        };
        benchmark.DatasetContentHash = DatasetContentHash.Compute(benchmark.Items.Select(ContentItem));
        return benchmark;
    }

    /// <summary>What the content hash reads of a stored item: its messages as ChatInput.Read reduced them.</summary>
    private static DatasetContentItem ContentItem(DatasetItem item) => new(
        item.ItemId,
        item.MessagesJson is { } messages
            ? ItemInput.FromMessages(JsonSerializer.Deserialize<List<ChatMessage>>(messages, JsonSerializerOptions.Web)!)
            : ItemInput.FromText(item.Input),
        item.Expected,
        item.AcceptedOutputs);

    /// <summary>
    /// An item with its answers: its own <c>expected</c> and <c>accepted_outputs</c>, else its entry of the benchmark's
    /// <c>expected_outputs</c> (a list's first answer is the expected one). The validator has ruled out contradictions.
    /// </summary>
    private static DatasetItem NewItem(DatasetItemRequest item, Guid benchmarkId, int ordinal, JsonElement? expectedOutput)
    {
        var (input, messagesJson) = ChatInput.Read(item.Input!.Value);
        var answers = expectedOutput is { } entry ? SuiteValidator.ExpectedOutput(entry)! : [];
        var accepted = item.AcceptedOutputs?.Select(a => a!).ToList()
            ?? (expectedOutput is { ValueKind: JsonValueKind.Array } ? [.. answers] : null);
        return new DatasetItem
        {
            BenchmarkId = benchmarkId,
            Ordinal = ordinal,
            ItemId = item.Id!,
            Input = input,
            MessagesJson = messagesJson,
            // An entry that is a string names the expected answer even when the item lists several acceptable ones.
            Expected = item.Expected ?? (expectedOutput is { ValueKind: JsonValueKind.String } ? answers[0] : accepted?[0]),
            AcceptedOutputs = accepted,
            ScoringRubric = item.ScoringRubric is { ValueKind: JsonValueKind.Object } rubric ? rubric.GetRawText() : null,
        };
    }

    /// <summary>The metadata object's text as the client wrote it (stored in a json column, which keeps it so).</summary>
    private static string? MetadataText(JsonElement? metadata) =>
        metadata is { ValueKind: JsonValueKind.Object } value ? value.GetRawText() : null;
}
