using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Judging;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.SampleAgents.Domain;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// <c>model_graded</c> benchmarks through the real Runner: the SampleAgents' <c>judge</c> profile plays the judge
/// (an openai-chat agent registered in the catalog), and its grade, identity, prompt hash and usage land in each
/// sample's judgement.
/// </summary>
public sealed class ModelJudgeTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly SampleAgentsServer _sampleAgents = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sampleAgents.DisposeAsync();

    [Fact]
    public async Task A_model_graded_benchmark_is_graded_by_the_judge_and_an_ungradable_answer_is_unscored()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "judge");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        var judge = host.Catalog.AddAgent(AgentProtocols.OpenAiChat, $"{_sampleAgents.BaseUrl}/openai/judge", apiKey: "judge-key",
            pricing: new Pricing(1_000_000m, 0m, 0m)); // 1 USD per input token: the judge's cost is easy to see
        var agent = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=1",
            pricing: Pricing.Free);
        var rubric = $$"""{"type":"model_graded","judge_agent_id":"{{judge.Snapshot.AgentId}}","pass_threshold":0.5}""";
        const string CustomPrompt = "Is this answer right? {output}";
        var graded = FakeSuiteCatalog.Benchmark("graded",
            ("right", "What is 12 + 7?", "19"),
            ("wrong", "What is 3 * 4?", "13"), // the agent answers 12: the judge grades it 0
            ("custom", "What is 2 + 2?", "4")) with { RubricJson = rubric };
        graded = graded with
        {
            Items =
            [
                graded.Items[0],
                graded.Items[1],
                // An item's own rubric with a prompt the sample judge cannot grade: no GRADE line comes back.
                graded.Items[2] with { RubricJson = $$"""{"type":"model_graded","judge_agent_id":"{{judge.Snapshot.AgentId}}","prompt":"{{CustomPrompt}}"}""" },
            ],
        };
        var suite = host.Catalog.AddSuite(graded, FakeSuiteCatalog.Benchmark("exact", ("q1", "What is 1 + 1?", "2")));

        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            configuration = new { warmup_runs = 1, iterations = 2, concurrency = 2 },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();
        await Eventually.TrueAsync(() => Task.FromResult(bus.Executed.Count(e => e.RunId == runId) == 2), Wait, "both benchmarks executed");

        var executed = bus.Executed.Single(e => e.RunId == runId && e.Benchmark.Name == "graded");
        Assert.Equal(6, executed.Samples.Count);
        Assert.All(executed.Samples, s =>
        {
            Assert.Null(s.ErrorKind);
            var judgement = s.Judgement!;
            Assert.Equal(judge.Snapshot.AgentId, judgement.JudgeAgentId);
            Assert.Equal("1.0", judgement.JudgeVersion); // the latest, resolved
            Assert.True(judgement.InputTokens > 0);
            Assert.True(judgement.OutputTokens > 0);
            Assert.Equal(judgement.InputTokens, judgement.CostUsd); // priced with the judge's prices
            Assert.True(judgement.DurationMs > 0);
            Assert.Equal(0m, s.CostUsd); // the agent's own cost is not the judge's
        });

        var byItem = executed.Samples.ToLookup(s => s.ItemId, s => s.Judgement!);
        Assert.All(byItem["right"], j =>
        {
            Assert.Equal(1.0, j.Score);
            Assert.Equal("The answer matches the reference answer.", j.Reason);
            Assert.Null(j.Error);
            Assert.Equal(JudgePrompt.Sha256(JudgePrompt.DefaultTemplate), j.PromptSha256);
        });
        Assert.All(byItem["wrong"], j => Assert.Equal(0.0, j.Score));
        Assert.All(byItem["custom"], j =>
        {
            Assert.Null(j.Score); // unscored, never 0
            Assert.StartsWith("The judge's answer has no 'GRADE: <0..1>' line nor a JSON grade: " + JudgeGrader.CannotGrade, j.Error);
            Assert.Equal(JudgePrompt.Sha256(CustomPrompt), j.PromptSha256);
        });

        // A benchmark with another rubric is not judged.
        var exact = bus.Executed.Single(e => e.RunId == runId && e.Benchmark.Name == "exact");
        Assert.All(exact.Samples, s => Assert.Null(s.Judgement));
    }

    [Fact]
    public async Task A_judge_that_cannot_be_found_leaves_every_sample_unscored_with_the_reason()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "nojudge");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        var agent = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=1");
        var missing = Guid.NewGuid();
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("graded", ("q1", "What is 1 + 1?", "2"))
            with { RubricJson = $$"""{"type":"model_graded","judge_agent_id":"{{missing}}","judge_version":"2.0"}""" });

        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            configuration = new { warmup_runs = 0, iterations = 2 },
        });
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();

        var executed = await Eventually.GetAsync(() => Task.FromResult(bus.Executed.FirstOrDefault(e => e.RunId == runId)), Wait, "the benchmark executed");
        Assert.All(executed.Samples, s =>
        {
            Assert.Null(s.ErrorKind);
            Assert.Equal("2", s.Output);
            Assert.Null(s.Judgement!.Score);
            Assert.Equal(missing, s.Judgement.JudgeAgentId);
            Assert.Equal("2.0", s.Judgement.JudgeVersion);
            Assert.Equal($"The judge agent {missing} (version '2.0') could not be found.", s.Judgement.Error);
        });
    }
}

/// <summary>How the runner reads a judge's answer.</summary>
public sealed class GradeParserTests
{
    [Theory]
    [InlineData("The answer is right.\nGRADE: 1", 1.0, "The answer is right.")]
    [InlineData("Partly right.\nGRADE: 0.8", 0.8, "Partly right.")]
    [InlineData("Mostly wrong.\r\n**Grade:** 0.25", 0.25, "Mostly wrong.")]
    [InlineData("GRADE: 0.9 was my first thought, but no.\ngrade = 0", 0.0, "GRADE: 0.9 was my first thought, but no.")]
    [InlineData("""{"grade": 0.5, "reason": "Half of it."}""", 0.5, "Half of it.")]
    [InlineData("```json\n{\"grade\": 1}\n```", 1.0, null)]
    public void Reads_the_last_grade_line_or_a_json_grade(string answer, double grade, string? reason)
    {
        var parsed = GradeParser.Parse(answer);

        Assert.Equal(grade, parsed.Score);
        Assert.Equal(reason, parsed.Reason);
        Assert.Null(parsed.Error);
    }

    [Theory]
    [InlineData("I think it is fine.", "no 'GRADE: <0..1>' line")]
    [InlineData("GRADE: 8", "outside [0, 1]")]
    [InlineData("GRADE: excellent", "no 'GRADE: <0..1>' line")]
    [InlineData("""{"grade": "high"}""", "is not a number")]
    [InlineData("""{"grade": 1.5}""", "outside [0, 1]")]
    [InlineData("", "no 'GRADE: <0..1>' line")]
    public void An_answer_without_a_grade_in_range_is_ungradable_not_zero(string answer, string error)
    {
        var parsed = GradeParser.Parse(answer);

        Assert.Null(parsed.Score);
        Assert.Contains(error, parsed.Error);
    }

    [Fact]
    public void Placeholders_are_replaced_once_and_every_accepted_answer_is_listed()
    {
        var item = new DatasetItem { Id = "q", Input = "Say {output}", Expected = "a", AcceptedOutputs = ["a", "b"] };

        var prompt = JudgePrompt.Render("{input} | {output} | {expected} | {other}", item, "{expected}");

        Assert.Equal("Say {output} | {expected} | a\nb | {other}", prompt);
        Assert.Equal("(none)", JudgePrompt.Render("{expected}", new DatasetItem { Id = "q", Input = "x" }, "y"));
    }

    [Fact]
    public void Only_model_graded_rubrics_are_parsed()
    {
        var judge = Guid.NewGuid();

        var rubric = ModelGradedRubric.Parse($$"""{"type":"model_graded","judge_agent_id":"{{judge}}","judge_version":"1.2","prompt":"P {output}"}""");

        Assert.Equal(new ModelGradedRubric(judge, "1.2", "P {output}"), rubric);
        Assert.Equal(JudgePrompt.DefaultTemplate, ModelGradedRubric.Parse("""{"type":"model_graded","judge_agent_id":"x"}""")!.EffectiveTemplate);
        Assert.Equal(Guid.Empty, ModelGradedRubric.Parse("""{"type":"model_graded"}""")!.JudgeAgentId);
        Assert.Null(ModelGradedRubric.Parse("""{"type":"exact_match"}"""));
        Assert.Null(ModelGradedRubric.Parse("not json"));
    }
}

/// <summary>The sample judge's grading of the runner's default prompt.</summary>
public sealed class JudgeGraderTests
{
    private static string Prompt(string task, string? expected, string output) =>
        JudgePrompt.Render(JudgePrompt.DefaultTemplate, new DatasetItem { Id = "q", Input = task, Expected = expected }, output);

    [Theory]
    [InlineData("What is 12 + 7?", "19", "19", "GRADE: 1")]
    [InlineData("What is 12 + 7?", "19", "20", "GRADE: 0")]
    [InlineData("Capital of France?", "paris", "Paris", "GRADE: 1")]
    [InlineData("What is 12 + 7?", null, "19", "GRADE: 1")] // no reference: the judge solves the task itself
    public void Grades_the_agents_answer_against_the_reference(string task, string? expected, string output, string grade) =>
        Assert.EndsWith(grade, JudgeGrader.Grade(Prompt(task, expected, output)).Answer);

    [Fact]
    public void A_prompt_without_an_answer_to_grade_gets_no_grade() =>
        Assert.Null(GradeParser.Parse(JudgeGrader.Grade("Is this right? 19").Answer).Score);
}
