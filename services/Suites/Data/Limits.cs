namespace BenchMesh.Suites.Data;

/// <summary>Length limits shared by the validation and the column definitions.</summary>
public static class Limits
{
    public const int NameLength = 200;
    public const int CategoryLength = 100;
    public const int VersionLength = 64;
    public const int EndpointLength = 2048;
    public const int DescriptionLength = 4000;
    public const int DataSourceLength = 2048;

    /// <summary>A <c>metadata</c> object's JSON text: room for labels and provenance, not for a second dataset.</summary>
    public const int MetadataLength = 65_536;
}
