using System.Globalization;

namespace BenchMesh.FaultInjection;

/// <summary>Which process owns a loopback TCP connection, from /proc (Linux): how the program finds the runner that is
/// calling the agent right now, i.e. the one executing a benchmark.</summary>
public static class SocketOwners
{
    /// <summary>The first of <paramref name="candidates"/> that holds an established connection from one of the local ports.</summary>
    public static int? FindOwner(IEnumerable<int> localPorts, IEnumerable<int> candidates)
    {
        var inodes = ProcNetTcp()
            .Where(s => localPorts.Contains(s.LocalPort) && s.Established)
            .Select(s => $"socket:[{s.Inode}]")
            .ToHashSet(StringComparer.Ordinal);
        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var pid in candidates)
        {
            try
            {
                if (new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos().Any(fd => fd.LinkTarget is { } target && inodes.Contains(target)))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited while we looked.
            }
        }

        return null;
    }

    /// <summary>One line of /proc/net/tcp{,6}: "sl local_address rem_address st ... uid timeout inode ...", ports in hex.</summary>
    public static TcpSocket? ParseLine(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10 || !fields[0].EndsWith(':'))
        {
            return null;
        }

        var local = fields[1];
        return int.TryParse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)
            && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? new TcpSocket(port, fields[3] == "01", inode)
            : null;
    }

    private static IEnumerable<TcpSocket> ProcNetTcp() =>
        new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .Where(File.Exists)
            .SelectMany(File.ReadLines)
            .Select(ParseLine)
            .OfType<TcpSocket>();

    /// <summary>State 01 is TCP_ESTABLISHED.</summary>
    public sealed record TcpSocket(int LocalPort, bool Established, long Inode);
}
