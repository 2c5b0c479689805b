namespace BenchMesh.Gateway.Tests;

/// <summary>An operator key file path in a temporary folder of its own, removed with the folder at the end of a test.</summary>
public sealed class TemporaryKeyFile : IDisposable
{
    private readonly string _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bm-gateway-{Guid.NewGuid():N}");

    public TemporaryKeyFile(string relativePath = "admin-key") => Path = System.IO.Path.Combine(_folder, relativePath);

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
