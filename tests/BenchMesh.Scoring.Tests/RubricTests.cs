using System.Diagnostics;
using BenchMesh.Contracts.Runs;
using BenchMesh.Scoring.Rubrics;

namespace BenchMesh.Scoring.Tests;

public class RubricTests
{
    private static RubricResult Judge(string rubricJson, string output, string? expected) =>
        RubricEvaluator.Evaluate(
            new RawSample { Iteration = 0, ItemId = "q", Output = output, DurationMs = 1, InputTokens = 1, OutputTokens = 1, TokensReportedByAgent = true, CostUsd = 0 },
            new DatasetItem { Id = "q", Input = "?", Expected = expected },
            rubricJson);

    [Theory]
    [InlineData("  Paris \n", "paris", 1)]
    [InlineData("Paris", "Paris.", 0)]
    [InlineData("PARIS", "paris", 1)]
    public void Exact_match_trims_and_ignores_case_by_default(string output, string expected, double score) =>
        Assert.Equal(score, Judge("""{"type":"exact_match"}""", output, expected).Score);

    [Fact]
    public void Exact_match_can_be_case_sensitive()
    {
        Assert.Equal(0, Judge("""{"type":"exact_match","case_sensitive":true}""", "PARIS", "Paris").Score);
        Assert.Equal(1, Judge("""{"type":"exact_match","case_sensitive":true}""", " Paris ", "Paris").Score);
    }

    [Fact]
    public void Includes_finds_the_expected_text_inside_the_output()
    {
        Assert.Equal(1, Judge("""{"type":"includes"}""", "The capital is PARIS, of course.", "paris").Score);
        Assert.Equal(0, Judge("""{"type":"includes","case_sensitive":true}""", "The capital is PARIS.", "Paris").Score);
        Assert.Equal(0, Judge("""{"type":"includes"}""", "The capital is Lyon.", "Paris").Score);
    }

    [Fact]
    public void Regex_uses_the_pattern_or_else_the_expected_value()
    {
        Assert.Equal(1, Judge("""{"type":"regex","pattern":"^\\d{3}-\\d{4}$"}""", "555-1234", null).Score);
        Assert.Equal(0, Judge("""{"type":"regex","pattern":"^\\d{3}-\\d{4}$"}""", "call 555-1234", null).Score);
        Assert.Equal(1, Judge("""{"type":"regex"}""", "order #42 shipped", "#\\d+").Score);
    }

    [Fact]
    public void Regex_with_catastrophic_backtracking_fails_within_the_timeout()
    {
        var watch = Stopwatch.StartNew();
        var result = Judge("""{"type":"regex","pattern":"^(a+)+$"}""", new string('a', 40) + "!", null);
        Assert.Equal(0, result.Score);
        Assert.True(result.Scored);
        Assert.Contains("timed out", result.Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Regex_with_an_invalid_pattern_is_unscored_not_a_crash()
    {
        var result = Judge("""{"type":"regex","pattern":"(unclosed"}""", "x", null);
        Assert.False(result.Scored);
    }

    [Theory]
    [InlineData("The answer is 19.", "19", 0, 1)]
    [InlineData("19.004", "19", 0.01, 1)]
    [InlineData("19.02", "19", 0.01, 0)]
    [InlineData("It is -3.5 degrees", "-3.5", 0, 1)]
    [InlineData("minus: -3", "3", 0, 0)]
    [InlineData("about 1,234.5 units", "1234.5", 0, 1)]
    [InlineData("no number here", "4", 1, 0)]
    [InlineData("0.30000000000000004", "0.3", 0, 1)]
    public void Numeric_tolerance_takes_the_first_number_of_the_output(string output, string expected, double tolerance, double score) =>
        Assert.Equal(score, Judge($$"""{"type":"numeric_tolerance","tolerance":{{tolerance.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""", output, expected).Score);

    [Fact]
    public void Numeric_tolerance_can_be_relative_to_the_expected_value()
    {
        const string rubric = """{"type":"numeric_tolerance","tolerance":0.1,"relative":true}""";
        Assert.Equal(1, Judge(rubric, "1090", "1000").Score);
        Assert.Equal(0, Judge(rubric, "1110", "1000").Score);
        Assert.Equal(1, Judge(rubric, "-95", "-100").Score);
        Assert.Equal(0, Judge(rubric, "-80", "-100").Score);
    }

    [Fact]
    public void Numeric_tolerance_without_a_numeric_expected_value_is_unscored() =>
        Assert.False(Judge("""{"type":"numeric_tolerance"}""", "5", "five").Scored);

    private const string PersonSchema = """
        {"type":"json_schema","schema":{"type":"object","required":["name","age"],
          "properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":150},
                        "role":{"enum":["admin","user"]},"tags":{"type":"array","items":{"type":"string"}}}}}
        """;

    [Fact]
    public void Json_schema_accepts_a_conforming_document() =>
        Assert.Equal(1, Judge(PersonSchema, """ {"name":"Ada","age":36,"role":"admin","tags":["x","y"]} """, null).Score);

    [Theory]
    [InlineData("""{"name":"Ada"}""", "missing required property 'age'")]
    [InlineData("""{"name":"Ada","age":"36"}""", "$.age: expected integer")]
    [InlineData("""{"name":"Ada","age":200}""", "above the maximum")]
    [InlineData("""{"name":"Ada","age":-1}""", "below the minimum")]
    [InlineData("""{"name":"Ada","age":3,"role":"root"}""", "not in enum")]
    [InlineData("""{"name":"Ada","age":3,"tags":["a",1]}""", "$.tags[1]")]
    [InlineData("""["not","an","object"]""", "expected object")]
    [InlineData("""{"name": "Ada", """, "not valid JSON")]
    [InlineData("Sure! Here is the JSON you asked for.", "not valid JSON")]
    public void Json_schema_rejects_violations_and_invalid_json(string output, string reason)
    {
        var result = Judge(PersonSchema, output, null);
        Assert.Equal(0, result.Score);
        Assert.Contains(reason, result.Reason);
    }

    // Suites now rejects these schemas, but suites stored before that (or a rubric sent by another producer) still
    // reach Scoring: the sample must be left unscored with the reason, not throw and fail the whole message.
    [Theory]
    [InlineData("""{"type":5}""", """{"a":1}""")]
    [InlineData("""{"type":["object",5]}""", """{"a":1}""")]
    [InlineData("""{"type":"object","required":[1]}""", """{"a":1}""")]
    [InlineData("""{"properties":{"a":{"type":{"nested":"object"}}}}""", """{"a":1}""")]
    public void Json_schema_with_keywords_of_the_wrong_type_leaves_the_sample_unscored_with_the_reason(string schema, string output)
    {
        var result = Judge($$"""{"type":"json_schema","schema":{{schema}}}""", output, null);
        Assert.False(result.Scored);
        Assert.Equal(0, result.Score);
        Assert.StartsWith("rubric could not be applied:", result.Reason);
    }

    [Fact]
    public void F1_is_token_overlap_ignoring_case_and_punctuation()
    {
        Assert.Equal(1, Judge("""{"type":"f1"}""", "The Eiffel Tower!", "the eiffel tower").Score, 6);
        // output: the, tower, in, paris (4); expected: the, eiffel, tower (3); common 2 -> P 0.5, R 2/3, F1 4/7.
        Assert.Equal(4.0 / 7, Judge("""{"type":"f1"}""", "The tower, in Paris.", "the Eiffel tower").Score, 6);
        Assert.Equal(0, Judge("""{"type":"f1"}""", "nothing shared", "the Eiffel tower").Score);
    }

    private static RubricResult Graded(string rubricJson, Judgement? judgement) =>
        RubricEvaluator.Evaluate(
            new RawSample
            {
                Iteration = 0, ItemId = "q", Output = "an essay", DurationMs = 1, InputTokens = 1, OutputTokens = 1,
                TokensReportedByAgent = true, CostUsd = 0, Judgement = judgement,
            },
            new DatasetItem { Id = "q", Input = "?" },
            rubricJson);

    private static Judgement Grade(double? score, string? error = null) => new()
    {
        Score = score, Reason = score is null ? null : "on topic", Error = error, JudgeAgentId = Guid.NewGuid(), JudgeVersion = "1",
        PromptSha256 = new string('a', 64), InputTokens = 120, OutputTokens = 8, CostUsd = 0.0002m, DurationMs = 40,
    };

    [Fact]
    public void Model_graded_uses_the_judges_grade_and_its_pass_threshold()
    {
        var lenient = Graded("""{"type":"model_graded","judge_agent_id":"0b1c7ad0-1111-4111-8111-000000000001"}""", Grade(0.6));
        Assert.True(lenient.Scored);
        Assert.Equal(0.6, lenient.Score);
        Assert.True(lenient.Correct); // default pass threshold 0.5
        Assert.Contains("on topic", lenient.Reason);

        var strict = Graded("""{"type":"model_graded","judge_agent_id":"0b1c7ad0-1111-4111-8111-000000000001","pass_threshold":0.8}""", Grade(0.6));
        Assert.Equal(0.6, strict.Score);
        Assert.False(strict.Correct);
    }

    [Fact]
    public void A_model_graded_sample_the_judge_could_not_grade_is_unscored_never_a_zero()
    {
        const string rubric = """{"type":"model_graded","judge_agent_id":"0b1c7ad0-1111-4111-8111-000000000001"}""";
        var ungradable = Graded(rubric, Grade(null, error: "no grade in the judge's answer"));
        Assert.False(ungradable.Scored);
        Assert.False(ungradable.Correct);
        Assert.Contains("no grade in the judge's answer", ungradable.Reason);

        // A runner that sent no judgement at all (an older one): unscored too.
        Assert.False(Graded(rubric, null).Scored);
    }

    [Fact]
    public void Several_accepted_outputs_score_the_best_match()
    {
        var result = RubricEvaluator.Evaluate(
            new RawSample { Iteration = 0, ItemId = "q", Output = "NYC", DurationMs = 1, InputTokens = 1, OutputTokens = 1, TokensReportedByAgent = true, CostUsd = 0 },
            new DatasetItem { Id = "q", Input = "?", Expected = "New York", AcceptedOutputs = ["New York", "NYC"] },
            """{"type":"exact_match"}""");
        Assert.Equal(1, result.Score);
    }

    [Fact]
    public void A_failed_call_scores_zero_whatever_the_rubric()
    {
        var failed = new RawSample
        {
            Iteration = 0, ItemId = "q", Output = "5", DurationMs = 1, InputTokens = 0, OutputTokens = 0,
            TokensReportedByAgent = false, CostUsd = 0, ErrorKind = SampleErrorKinds.Timeout,
        };
        var result = RubricEvaluator.Evaluate(failed, new DatasetItem { Id = "q", Input = "?", Expected = "5" }, """{"type":"exact_match"}""");
        Assert.Equal(0, result.Score);
        Assert.True(result.Scored);
    }

    [Fact]
    public void The_item_rubric_overrides_the_benchmark_rubric()
    {
        var sample = new RawSample { Iteration = 0, ItemId = "q", Output = "it is 5 apples", DurationMs = 1, InputTokens = 1, OutputTokens = 1, TokensReportedByAgent = true, CostUsd = 0 };
        var item = new DatasetItem { Id = "q", Input = "?", Expected = "5", RubricJson = """{"type":"numeric_tolerance"}""" };
        Assert.Equal(1, RubricEvaluator.Evaluate(sample, item, """{"type":"exact_match"}""").Score);
        Assert.Equal(0, RubricEvaluator.Evaluate(sample, item with { RubricJson = null }, """{"type":"exact_match"}""").Score);
    }

    [Fact]
    public void An_unknown_rubric_type_is_unscored() =>
        Assert.False(Judge("""{"type":"vibes"}""", "x", "x").Scored);
}
