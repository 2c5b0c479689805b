namespace BenchMesh.Cli.Gateway;

/// <summary>
/// Where the CLI finds the API key it sends as <c>Authorization: Bearer</c>, first match wins: <c>--api-key</c>, the
/// environment variable <see cref="EnvironmentVariable"/>, then the file <see cref="KeyFile"/> in the current directory or
/// the nearest parent that has one (./run.sh writes the operator key there).
/// </summary>
public sealed record ApiKeySource(string Key, string Origin)
{
    public const string EnvironmentVariable = "BENCHMESH_API_KEY";
    public static readonly string KeyFile = Path.Combine(".benchmesh", "admin-key");

    /// <summary>The three ways, for messages.</summary>
    public static string Ways => $"--api-key KEY, the environment variable ${EnvironmentVariable}, or a {KeyFile} file in this directory or a parent (./run.sh writes one)";

    public static ApiKeySource? Resolve(string? option, Func<string, string?> getEnvironmentVariable, string currentDirectory)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return new ApiKeySource(option.Trim(), "--api-key");
        }

        if (getEnvironmentVariable(EnvironmentVariable) is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            return new ApiKeySource(variable.Trim(), $"${EnvironmentVariable}");
        }

        for (var directory = new DirectoryInfo(currentDirectory); directory is not null; directory = directory.Parent)
        {
            var file = Path.Combine(directory.FullName, KeyFile);
            if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } key)
            {
                return new ApiKeySource(key, file);
            }
        }

        return null;
    }
}
