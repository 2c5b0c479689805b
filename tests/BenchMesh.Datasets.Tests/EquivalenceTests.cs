namespace BenchMesh.Datasets.Tests;

/// <summary>The same three questions written in each format become the same items (and so the same hash).</summary>
public sealed class EquivalenceTests
{
    // A plain question, one with several acceptable answers, and one whose text needs CSV quoting (comma, quotes, newline).
    private const string Expected =
        """[{"id":"line-1","input":"What is 2 + 3?","expected":"5"},""" +
        """{"id":"line-2","input":"Name a primary colour.","expected":"red","accepted_outputs":["red","blue","yellow"]},""" +
        """{"id":"line-3","input":"Say \"hi\", then stop.\nNothing else.","expected":"hi"}]""";

    private static readonly string Jsonl = Fixture.Lines(
        """{"question": "What is 2 + 3?", "answer": 5}""",
        """{"question": "Name a primary colour.", "answer": ["red", "blue", "yellow"]}""",
        """{"question": "Say \"hi\", then stop.\nNothing else.", "answer": "hi"}""");

    private static readonly string Csv =
        "question,answer,alternatives\r\n" +
        "What is 2 + 3?,5,\r\n" +
        "Name a primary colour.,red,\"[\"\"blue\"\", \"\"yellow\"\"]\"\r\n" +
        "\"Say \"\"hi\"\", then stop.\nNothing else.\",hi,\r\n";

    private static readonly string OpenAiEvals = Fixture.Lines(
        """{"input": "What is 2 + 3?", "ideal": "5"}""",
        """{"input": "Name a primary colour.", "ideal": ["red", "blue", "yellow"]}""",
        """{"input": "Say \"hi\", then stop.\nNothing else.", "ideal": ["hi"]}""");

    private static readonly string Inspect = Fixture.Lines(
        """{"input": "What is 2 + 3?", "target": "5", "metadata": {"topic": "arithmetic"}}""",
        """{"input": "Name a primary colour.", "target": ["red", "blue", "yellow"]}""",
        """{"input": "Say \"hi\", then stop.\nNothing else.", "target": "hi"}""");

    [Fact]
    public void Each_format_gives_the_same_items_and_hash()
    {
        var imports = new[]
        {
            Fixture.Import(Jsonl, DatasetFormat.Jsonl, new() { Mapping = FieldMapping.Parse("input=question,expected=answer") }),
            Fixture.Import(Csv, DatasetFormat.Csv, new() { Mapping = FieldMapping.Parse("input=question, expected=answer, accepted_outputs=alternatives") }),
            Fixture.Import(OpenAiEvals, DatasetFormat.OpenAiEvals),
            Fixture.Import(Inspect, DatasetFormat.Inspect),
        };

        foreach (var items in imports)
        {
            Assert.Equal(Expected, Fixture.Json(items));
        }

        Assert.Single(imports.Select(DatasetContentHash.Compute).Distinct());
    }

    [Fact]
    public void Chat_inputs_give_the_same_message_lists_in_jsonl_openai_evals_and_inspect()
    {
        const string messages = """[{"role": "system", "content": "Answer with a number."}, {"role": "user", "content": "2 + 3?", "name": "alice"}]""";
        var imports = new[]
        {
            Fixture.Import($$"""{"id": "q1", "input": {{messages}}, "expected": "5"}""", DatasetFormat.Jsonl),
            Fixture.Import($$"""{"input": {{messages}}, "ideal": "5"}""", DatasetFormat.OpenAiEvals),
            Fixture.Import($$"""{"id": "q1", "input": {{messages}}, "target": "5"}""", DatasetFormat.Inspect),
        };

        Assert.Equal(
            """[{"id":"q1","input":[{"role":"system","content":"Answer with a number."},{"role":"user","content":"2 + 3?"}],"expected":"5"}]""",
            Fixture.Json(imports[0]));
        Assert.Equal(Fixture.Json(imports[0]), Fixture.Json(imports[2]));
        Assert.Equal(Fixture.Json(imports[0]).Replace("\"q1\"", "\"line-1\""), Fixture.Json(imports[1]));
    }

    [Fact]
    public void Promptfoo_tests_give_the_items_a_jsonl_file_with_rubrics_gives()
    {
        var promptfoo = Fixture.Import(Fixture.Lines(
            """{"description": "sum", "vars": {"qid": "q1", "question": "2 + 3?"}, "assert": [{"type": "equals", "value": "5"}]}""",
            """{"vars": {"qid": "q2", "question": "Capital of France?"}, "assert": [{"type": "icontains", "value": "Paris"}]}""",
            """{"vars": {"qid": "q3", "question": "A date?"}, "assert": [{"type": "regex", "value": "^\\d{4}-\\d{2}-\\d{2}$"}]}""",
            """{"vars": {"qid": "q4", "question": "A person as JSON?"}, "assert": [{"type": "is-json", "value": {"type": "object", "required": ["name"]}}]}""",
            """{"vars": {"qid": "q5", "question": "Anything?"}}"""),
            DatasetFormat.Promptfoo,
            new() { Template = "Q: {{ question }}\nA:", Mapping = FieldMapping.Parse("id=qid") });
        var jsonl = Fixture.Import(Fixture.Lines(
            """{"id": "q1", "input": "Q: 2 + 3?\nA:", "expected": "5", "scoring_rubric": {"type": "exact_match", "case_sensitive": true}}""",
            """{"id": "q2", "input": "Q: Capital of France?\nA:", "expected": "Paris", "scoring_rubric": {"type": "includes"}}""",
            """{"id": "q3", "input": "Q: A date?\nA:", "scoring_rubric": {"pattern": "^\\d{4}-\\d{2}-\\d{2}$", "type": "regex"}}""",
            """{"id": "q4", "input": "Q: A person as JSON?\nA:", "scoring_rubric": {"type": "json_schema", "schema": {"type": "object", "required": ["name"]}}}""",
            """{"id": "q5", "input": "Q: Anything?\nA:"}"""),
            DatasetFormat.Jsonl);

        Assert.Equal(Fixture.Json(jsonl), Fixture.Json(promptfoo));
        Assert.Equal(DatasetContentHash.Compute(jsonl), DatasetContentHash.Compute(promptfoo));
        Assert.Contains("""{"id":"q3","input":"Q: A date?\nA:","scoring_rubric":{"pattern":"^\\d{4}-\\d{2}-\\d{2}$","type":"regex"}}""", Fixture.Json(promptfoo), StringComparison.Ordinal);
    }

    [Fact]
    public void Promptfoo_input_is_the_mapped_var_or_the_only_one()
    {
        var mapped = Fixture.Import("""{"vars": {"q": "2 + 3?", "topic": "sums"}, "assert": [{"type": "contains", "value": "5"}]}""",
            DatasetFormat.Promptfoo, new() { Mapping = FieldMapping.Parse("input=q") });
        var only = Fixture.Import("""{"vars": {"q": "2 + 3?"}, "assert": [{"type": "contains", "value": "5"}]}""", DatasetFormat.Promptfoo);

        Assert.Equal("""[{"id":"line-1","input":"2 + 3?","expected":"5","scoring_rubric":{"case_sensitive":true,"type":"includes"}}]""", Fixture.Json(mapped));
        Assert.Equal(Fixture.Json(mapped), Fixture.Json(only));
    }

    [Fact]
    public void Ids_come_from_the_mapped_field_or_column()
    {
        var jsonl = Fixture.Import(Fixture.Lines("""{"qid": 7, "prompt": "a"}""", "", """{"qid": "x-2", "prompt": "b"}"""),
            DatasetFormat.Jsonl, new() { Mapping = FieldMapping.Parse("id=qid,input=prompt") });
        var csv = Fixture.Import("qid,prompt\n7,a\nx-2,b\n", DatasetFormat.Csv, new() { Mapping = FieldMapping.Parse("id=qid,input=prompt") });
        var inspect = Fixture.Import(Fixture.Lines("""{"id": 7, "input": "a"}""", """{"id": "x-2", "input": "b"}"""), DatasetFormat.Inspect);

        Assert.Equal(["7", "x-2"], jsonl.Select(i => i.Id));
        Assert.Equal(Fixture.Json(jsonl), Fixture.Json(csv));
        Assert.Equal(Fixture.Json(jsonl), Fixture.Json(inspect));
    }
}
