using System.Text;

namespace BenchMesh.Datasets.Tests;

/// <summary>Imports fixture text written in the tests, as the bytes of a file would arrive.</summary>
internal static class Fixture
{
    public static IReadOnlyList<SuiteItem> Import(string content, DatasetFormat format, DatasetImportOptions? options = null) =>
        Import(Encoding.UTF8.GetBytes(content), format, options);

    public static IReadOnlyList<SuiteItem> Import(byte[] content, DatasetFormat format, DatasetImportOptions? options = null)
    {
        using var stream = new MemoryStream(content);
        return DatasetImporter.Import(stream, format, options);
    }

    public static string Json(IEnumerable<SuiteItem> items) => SuiteItemJson.ToJsonString(items);

    public static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";
}
