using System.Text;

namespace BenchMesh.Datasets.Tests;

public sealed class CsvTests
{
    [Fact]
    public void Quoted_fields_keep_separators_quotes_and_line_breaks_and_a_bom_is_dropped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(
            "id,input,expected\r\n" +
            "a,\"one, two\",\"say \"\"yes\"\"\"\r\n" +
            "b,\"first line\r\nsecond line\n\nfourth line\",\r\n" +
            "\r\n" +
            "c,plain ünïcödé 😀,x\r\n")).ToArray();

        var items = Fixture.Import(bytes, DatasetFormat.Csv);

        Assert.Equal(["a", "b", "c"], items.Select(i => i.Id));
        Assert.Equal("one, two", items[0].Input.Text);
        Assert.Equal("say \"yes\"", items[0].Expected);
        Assert.Equal("first line\r\nsecond line\n\nfourth line", items[1].Input.Text);
        Assert.Null(items[1].Expected);
        Assert.Equal("plain ünïcödé 😀", items[2].Input.Text);
    }

    [Fact]
    public void A_bom_in_the_header_does_not_rename_the_first_column()
    {
        var items = Fixture.Import("\uFEFFinput\nhello\n", DatasetFormat.Csv);

        Assert.Equal("hello", Assert.Single(items).Input.Text);
    }

    [Fact]
    public void Errors_name_the_line_where_the_record_starts_after_multi_line_records()
    {
        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(
            "id,input\n" +
            "a,\"two\nlines\"\n" +
            "b,\n",
            DatasetFormat.Csv));

        Assert.Equal("line 4: input: must not be empty", error.Message);
        Assert.Equal(4, error.Line);
        Assert.Equal("input", error.Field);
    }

    [Fact]
    public void Json_cells_hold_accepted_outputs_and_rubrics()
    {
        var items = Fixture.Import(
            "input,expected,accepted_outputs,scoring_rubric\n" +
            "\"2+3?\",5,\"[\"\"5\"\", \"\"five\"\"]\",\"{\"\"type\"\": \"\"exact_match\"\"}\"\n",
            DatasetFormat.Csv);

        Assert.Equal("""[{"id":"line-1","input":"2+3?","expected":"5","accepted_outputs":["5","five"],"scoring_rubric":{"type":"exact_match"}}]""", Fixture.Json(items));
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] bytes = [.. "input\nok\nbad "u8, 0xC3, 0x28, .. "\n"u8];

        var error = Assert.Throws<DatasetFormatException>(() => Fixture.Import(bytes, DatasetFormat.Csv));

        Assert.Equal("line 3: not valid UTF-8", error.Message);
    }
}
