namespace BenchMesh.Datasets.Tests;

public sealed class PromptfooYamlTests
{
    private const string Jsonl = """
        {"vars": {"qid": "q1", "question": "2 + 3?"}, "assert": [{"type": "equals", "value": "5"}]}
        {"vars": {"qid": "q2", "question": "Capital of France?"}, "assert": [{"type": "icontains", "value": "Paris"}]}
        """;

    private static readonly DatasetImportOptions Options = new() { Template = "Q: {{question}}", Mapping = FieldMapping.Parse("id=qid") };

    [Fact]
    public void A_yaml_list_of_tests_gives_the_items_json_lines_give()
    {
        var yaml = Fixture.Import("""
            # tests.yaml
            - description: sum
              vars: { qid: q1, question: "2 + 3?" }
              assert:
                - type: equals
                  value: 5
            - vars:
                qid: q2
                question: Capital of France?
              assert: [{ type: icontains, value: Paris }]
            """, DatasetFormat.Promptfoo, Options);

        Assert.Equal(Fixture.Json(Fixture.Import(Jsonl, DatasetFormat.Promptfoo, Options)), Fixture.Json(yaml));
        Assert.Equal("Q: 2 + 3?", yaml[0].Input.Text);
    }

    [Fact]
    public void A_configuration_gives_its_tests_and_its_only_prompt_is_the_template()
    {
        var config = Fixture.Import("""
            description: capitals
            prompts:
              - "Q: {{question}}"
            providers: [openai:gpt-4o-mini]
            tests:
              - vars: { qid: q1, question: "2 + 3?" }
                assert: [{ type: equals, value: "5" }]
              - vars: { qid: q2, question: Capital of France? }
                assert: [{ type: icontains, value: Paris }]
            """, DatasetFormat.Promptfoo, new() { Mapping = FieldMapping.Parse("id=qid") });

        Assert.Equal(Fixture.Json(Fixture.Import(Jsonl, DatasetFormat.Promptfoo, Options)), Fixture.Json(config));
    }

    [Fact]
    public void A_mapped_input_var_wins_over_the_configuration_prompt()
    {
        var items = Fixture.Import("prompts: ['Q: {{question}}']\ntests:\n  - vars: { question: '2 + 3?' }\n", DatasetFormat.Promptfoo,
            new() { Mapping = FieldMapping.Parse("input=question") });

        Assert.Equal("2 + 3?", Assert.Single(items).Input.Text);
    }

    [Theory]
    [InlineData("- vars: { question: a }\n- vars: { question: b }\n  assert:\n    - type: similar\n      value: x\n", "line 2: assert[0].type: 'similar' is not supported")]
    [InlineData("- vars: { question: a }\n- just text\n", "line 2: must be a test object with 'vars' and 'assert'")]
    [InlineData("prompts: ['{{question}}']\ndefaultTest:\n  assert: [{ type: equals, value: x }]\ntests: []\n", "line 3: defaultTest: is not supported (put its assertions in each test)")]
    [InlineData("prompts: ['A {{question}}', 'B {{question}}']\ntests: []\n", "line 1: prompts: several prompts: choose one with a template")]
    [InlineData("prompts: ['{{question}}']\ntests: file://tests.csv\n", "line 1: tests: must be a list of tests")]
    [InlineData("- vars: { question: [a\n", "line 2: ")]
    public void Yaml_errors_name_the_line_of_the_test(string yaml, string expected)
    {
        // A configuration's prompt is the template only when no input var is mapped.
        var mapping = FieldMapping.Parse(yaml.Contains("prompts:", StringComparison.Ordinal) ? null : "input=question");

        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(yaml, DatasetFormat.Promptfoo, new() { Mapping = mapping }));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
