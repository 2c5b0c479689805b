namespace BenchMesh.Datasets.Tests;

/// <summary>Every error names the line of the file and the field at fault.</summary>
public sealed class ErrorTests
{
    private const string Good = """{"input": "fine", "expected": "ok"}""";

    [Theory]
    [InlineData(DatasetFormat.Jsonl, "not json", "line 2: not valid JSON (at character 2)")]
    [InlineData(DatasetFormat.Jsonl, "[1, 2]", "line 2: must be a JSON object")]
    [InlineData(DatasetFormat.Jsonl, """{"expected": "x"}""", "line 2: input: is required")]
    [InlineData(DatasetFormat.Jsonl, """{"input": "", "expected": "x"}""", "line 2: input: must not be empty")]
    [InlineData(DatasetFormat.Jsonl, """{"input": "a", "expected": {"x": 1}}""", "line 2: expected: must be a string or a list of strings")]
    [InlineData(DatasetFormat.Jsonl, """{"input": "a", "expected": ["x", {}]}""", "line 2: expected[1]: must be a string")]
    [InlineData(DatasetFormat.Jsonl, """{"input": "a", "expected": []}""", "line 2: expected: must not be an empty list")]
    [InlineData(DatasetFormat.Jsonl, """{"input": [{"role": "user"}]}""", "line 2: input[0].content: must be a string (only text content is supported)")]
    [InlineData(DatasetFormat.Jsonl, """{"input": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}""", "line 2: input[0].content: must be a string (only text content is supported)")]
    [InlineData(DatasetFormat.Jsonl, """{"input": [], "expected": "x"}""", "line 2: input: must be a non-empty string or a non-empty list of chat messages")]
    [InlineData(DatasetFormat.Jsonl, """{"input": "a\u0000b"}""", "line 2: input: contains a NUL character")]
    [InlineData(DatasetFormat.Jsonl, """{"input": "a\ud800b"}""", "line 2: input: contains an unpaired surrogate")]
    [InlineData(DatasetFormat.Jsonl, """{"input": "a", "scoring_rubric": {"pattern": "x"}}""", "line 2: scoring_rubric: must be a rubric object with a 'type'")]
    [InlineData(DatasetFormat.OpenAiEvals, """{"input": [{"role": "system", "content": 3}], "ideal": "x"}""", "line 2: input[0].content: must be a string (only text content is supported)")]
    [InlineData(DatasetFormat.OpenAiEvals, """{"ideal": "x"}""", "line 2: input: is required")]
    [InlineData(DatasetFormat.OpenAiEvals, """{"input": "a", "ideal": {"x": 1}}""", "line 2: ideal: must be a string or a list of strings")]
    [InlineData(DatasetFormat.Inspect, """{"input": "a", "target": "A", "choices": ["x", "y"]}""", "line 2: choices: multiple-choice samples are not supported (write the choices into the input and the letter into target)")]
    [InlineData(DatasetFormat.Inspect, """{"id": {"n": 1}, "input": "a"}""", "line 2: id: must be a string or a number")]
    [InlineData(DatasetFormat.Inspect, """{"input": "a", "target": [true, null]}""", "line 2: target[1]: must be a string")]
    public void A_bad_second_line_is_named(DatasetFormat format, string line, string expected)
    {
        var first = format == DatasetFormat.Inspect ? """{"input": "fine", "target": "ok"}""" : format == DatasetFormat.OpenAiEvals ? """{"input": "fine", "ideal": "ok"}""" : Good;

        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(Fixture.Lines(first, line), format));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("""{"vars": {"question": "a"}, "assert": [{"type": "llm-rubric", "value": "is polite"}]}""", "line 2: assert[0].type: 'llm-rubric' is not supported (supported: equals, contains, icontains, regex, is-json)")]
    [InlineData("""{"vars": {"question": "a"}, "assert": [{"type": "not-equals", "value": "x"}]}""", "line 2: assert[0].type: 'not-equals' is not supported (supported: equals, contains, icontains, regex, is-json)")]
    [InlineData("""{"vars": {"question": "a"}, "assert": [{"type": "equals", "value": "x"}, {"type": "contains", "value": "y"}]}""", "line 2: assert: 2 assertions: BenchMesh scores an item with one rubric, so a test may have one")]
    [InlineData("""{"vars": {"question": "a"}, "assert": [{"type": "equals"}]}""", "line 2: assert[0].value: 'equals' needs a string value")]
    [InlineData("""{"vars": {"question": "a"}, "assert": [{"value": "x"}]}""", "line 2: assert[0].type: is required")]
    [InlineData("""{"vars": {"question": "a"}, "assert": [{"type": "equals", "value": "x", "transform": "output.trim()"}]}""", "line 2: assert[0].transform: transforms are not supported")]
    [InlineData("""{"vars": {"question": "a"}, "assert": [{"type": "is-json", "value": "file://schema.json"}]}""", "line 2: assert[0].value: must be an inline JSON schema object")]
    [InlineData("""{"vars": {"topic": "a"}}""", "line 2: vars.question: is missing")]
    [InlineData("""{"vars": {"question": ["a", "b"]}}""", "line 2: vars.question: a list of values (promptfoo runs one test per value) is not supported")]
    [InlineData("""{"vars": {"question": "file://q.txt"}}""", "line 2: vars.question: file:// references are not supported (inline the content)")]
    [InlineData("""{"vars": "question"}""", "line 2: vars: must be an object")]
    public void A_bad_promptfoo_test_is_named(string line, string expected)
    {
        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(
            Fixture.Lines("""{"vars": {"question": "fine"}}""", line), DatasetFormat.Promptfoo, new() { Template = "{{question}}" }));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("id,question\na,x\nb,y,z\n", "line 3: malformed CSV")]
    [InlineData("id,question\na,x\nb,\"y\n", "line 3: malformed CSV")]
    [InlineData("id,prompt\na,x\n", "line 1: question: no such column (the header has: id, prompt)")]
    [InlineData("id,question\na,x\n,y\n", "line 3: id: must not be empty")]
    [InlineData("id,question\na,x\na,y\n", "line 3: id: the id 'a' was already used on line 2")]
    public void A_bad_csv_record_is_named(string csv, string expected)
    {
        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(csv, DatasetFormat.Csv, new() { Mapping = FieldMapping.Parse("input=question") }));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_property_is_refused()
    {
        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(Fixture.Lines(Good, """{"input": "a", "input": "b"}"""), DatasetFormat.Jsonl));

        Assert.StartsWith("line 2: not valid JSON (Duplicate property 'input'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapped_field_missing_from_a_line_is_named()
    {
        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(
            Fixture.Lines("""{"qid": "a", "q": "x"}""", """{"q": "y"}"""), DatasetFormat.Jsonl, new() { Mapping = FieldMapping.Parse("id=qid,input=q") }));

        Assert.Equal("line 2: qid: is missing (it is named in the mapping)", error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_named_with_its_line()
    {
        byte[] bytes = [.. "{\"input\": \"a\"}\n{\"input\": \""u8, 0xC3, 0x28, .. "\"}\n"u8];

        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(bytes, DatasetFormat.Jsonl));

        Assert.Equal("line 2: not valid UTF-8", error.Message);
    }

    [Theory]
    [InlineData("input=q,colour=c", "mapping: 'colour' is not a mapping key (use id, input, expected, accepted_outputs, scoring_rubric)")]
    [InlineData("input=", "mapping: 'input' needs a field name, as in input=column")]
    [InlineData("input=a,input=b", "mapping: 'input' is mapped twice")]
    public void A_bad_mapping_is_refused(string mapping, string expected)
    {
        var error = Assert.Throws<DatasetFormatException>(() => FieldMapping.Parse(mapping));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Options_that_do_not_apply_to_the_format_are_refused()
    {
        Assert.Equal("mapping: the inspect format has fixed fields; a mapping applies to jsonl, csv and promptfoo",
            Assert.Throws<DatasetFormatException>(() => Fixture.Import(Good, DatasetFormat.Inspect, new() { Mapping = FieldMapping.Parse("input=q") })).Message);
        Assert.Equal("a template applies to promptfoo tests only",
            Assert.Throws<DatasetFormatException>(() => Fixture.Import(Good, DatasetFormat.Jsonl, new() { Template = "{{q}}" })).Message);
        Assert.Equal("template: only {{var}} placeholders are supported, not '{{ q | upper }}'",
            Assert.Throws<DatasetFormatException>(() => Fixture.Import("{}", DatasetFormat.Promptfoo, new() { Template = "Q: {{ q | upper }}" })).Message);
        Assert.Equal("give either a template or an input var (input=<var>), not both",
            Assert.Throws<DatasetFormatException>(() => Fixture.Import("{}", DatasetFormat.Promptfoo, new() { Template = "{{q}}", Mapping = FieldMapping.Parse("input=q") })).Message);
        Assert.Equal("mapping: promptfoo tests map only 'input' and 'id' to vars, not 'expected' (the expected answer comes from assert)",
            Assert.Throws<DatasetFormatException>(() => Fixture.Import("{}", DatasetFormat.Promptfoo, new() { Mapping = FieldMapping.Parse("expected=a") })).Message);
    }

    [Fact]
    public void More_items_than_the_limit_are_refused()
    {
        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(Fixture.Lines(Good, Good, Good), DatasetFormat.Jsonl, new() { MaxItems = 2 }));

        Assert.Equal("line 3: more than 2 items", error.Message);
    }
}
