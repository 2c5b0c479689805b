using System.Diagnostics;
using System.Text;

namespace BenchMesh.Deploy.Tests;

/// <summary>
/// The two offline tools: <c>kubectl kustomize</c> (kubectl ships on the project's machines) and the Node validator in
/// deploy/k8s/validate, whose packages (pinned by its package-lock.json) are installed with <c>npm ci</c> on first use.
/// </summary>
public sealed class ManifestTools : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    public static string RepositoryRoot { get; } = FindRoot();

    public static string K8sFolder => Path.Combine(RepositoryRoot, "deploy", "k8s");

    private static string ValidatorFolder => Path.Combine(K8sFolder, "validate");

    /// <summary>The overlays under deploy/k8s/overlays, by name.</summary>
    public static TheoryData<string> Overlays()
    {
        var overlays = new TheoryData<string>();
        foreach (var overlay in Directory.GetDirectories(Path.Combine(K8sFolder, "overlays")).Order(StringComparer.Ordinal))
        {
            overlays.Add(Path.GetFileName(overlay));
        }

        return overlays;
    }

    public async Task InitializeAsync()
    {
        // The lock file's content as a stamp: a changed lock installs again.
        var stamp = Path.Combine(ValidatorFolder, "node_modules", ".benchmesh-lock");
        var lockFile = await File.ReadAllTextAsync(Path.Combine(ValidatorFolder, "package-lock.json"));
        if (!File.Exists(stamp) || await File.ReadAllTextAsync(stamp) != lockFile)
        {
            var (code, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], ValidatorFolder);
            Assert.True(code == 0, $"npm ci in deploy/k8s/validate failed ({code}):\n{output}");
            await File.WriteAllTextAsync(stamp, lockFile);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The multi-document YAML <c>kubectl kustomize</c> renders for <paramref name="folder"/>.</summary>
    public static async Task<string> RenderAsync(string folder)
    {
        var (code, output) = await RunAsync("kubectl", ["kustomize", folder], folder, separateErrors: true);
        Assert.True(code == 0, $"kubectl kustomize {folder} failed ({code}):\n{output}");
        return output;
    }

    /// <summary>The validator's verdict on <paramref name="yaml"/>: its exit code and its lines.</summary>
    public static Task<(int Code, string Output)> ValidateAsync(string yaml) =>
        RunAsync("node", ["validate.mjs"], ValidatorFolder, input: yaml);

    /// <summary>
    /// The validator's lines for each of several renderings, in one run: the type checker it builds takes seconds to
    /// start, which a run per rendering would pay again and again.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ValidateEachAsync(IReadOnlyList<string> yamls)
    {
        var folder = Directory.CreateTempSubdirectory("benchmesh-k8s-rendered-");
        try
        {
            var files = new List<string>();
            for (var i = 0; i < yamls.Count; i++)
            {
                files.Add(Path.Combine(folder.FullName, $"{i}.yaml"));
                await File.WriteAllTextAsync(files[i], yamls[i]);
            }

            var (_, output) = await RunAsync("node", ["validate.mjs", .. files], ValidatorFolder);
            var lines = output.Split('\n');
            return files.Select(f => string.Join('\n', lines.Where(l => l.StartsWith($"{f}: ", StringComparison.Ordinal)))).ToList();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(
        string program, string[] arguments, string folder, string? input = null, bool separateErrors = false)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{program}' is needed to check deploy/k8s offline and was not found: {e.Message}. kubectl and Node.js (with npm) come with the project's machines.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(input ?? "");
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(CommandTimeout);
            await process.WaitForExitAsync(timeout.Token);
            var output = new StringBuilder(await stdout);
            var errors = await stderr;
            if (!separateErrors || process.ExitCode != 0)
            {
                output.Append(errors);
            }

            return (process.ExitCode, output.ToString());
        }
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "BenchMesh.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"BenchMesh.sln not found above {AppContext.BaseDirectory}.");
    }
}
