namespace BenchMesh.Datasets.Importers;

/// <summary>Gathers a file's items: default ids, duplicate ids and the item limit.</summary>
internal sealed class ItemCollector(DatasetImportOptions options)
{
    private readonly List<SuiteItem> _items = [];
    private readonly Dictionary<string, int> _lineOfId = new(StringComparer.Ordinal);

    /// <summary>
    /// The id of the next item when the data gives none: <c>line-&lt;n&gt;</c>, n its 1-based position among the data
    /// records (blank lines and the CSV header not counted), so that equivalent files in any format give the same ids.
    /// </summary>
    public string DefaultId => $"line-{_items.Count + 1}";

    public IReadOnlyList<SuiteItem> Items => _items;

    public void Add(int line, string idField, SuiteItem item)
    {
        if (_items.Count >= options.MaxItems)
        {
            throw new DatasetFormatException(line, null, $"more than {options.MaxItems} items");
        }

        if (!_lineOfId.TryAdd(item.Id, line))
        {
            throw new DatasetFormatException(line, idField, $"the id '{item.Id}' was already used on line {_lineOfId[item.Id]}");
        }

        _items.Add(item);
    }
}
