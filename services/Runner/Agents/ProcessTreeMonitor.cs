using System.Diagnostics;
using System.Globalization;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// Watches a process agent's process tree (the process and every descendant) through /proc while a task runs:
/// peak resident memory, CPU time, and the task's memory limit.
/// <para>
/// Method. Every <see cref="ProcessAgentOptions.SampleIntervalMs"/>, on a thread of its own, it walks the tree through
/// <c>/proc/&lt;pid&gt;/task/*/children</c> and reads each process's <c>status</c> (<c>VmRSS</c>, <c>VmHWM</c>) and
/// <c>stat</c> (<c>utime + stime + cutime + cstime</c>); the client reads it once more when the answer arrives.
/// Peak memory is the larger of the highest summed <c>VmRSS</c> seen and the highest single <c>VmHWM</c> (the kernel's
/// own per-process peak, which also catches a spike between two samples). CPU time is the highest summed CPU seen: a
/// child's time counts in its own <c>stat</c> while it lives and in its parent's <c>cutime/cstime</c> once reaped, so
/// nothing is counted twice.
/// </para>
/// <para>
/// Why a thread of its own. The thread pool is no clock: .NET reads a child's stdout and stderr (anonymous pipes, which
/// have no asynchronous I/O on Unix) by blocking a pool thread in <c>read</c> while the agent is silent, two per running
/// agent, and a pool at its minimum (one thread per core) adds threads only when it finds itself starved. A sample
/// queued behind such reads waited: on 2 cores (where a test host's own connection holds one more pool thread) gaps of
/// 0.5 to 0.9 s between samples were measured, in which a 1,000 MB allocation went by unseen, and a short
/// <c>per_call</c> agent was measured at 0.5 MB (its <c>setsid</c> before the exec).
/// </para>
/// <para>
/// Limits. A child that is reaped by init instead of its parent, and whatever runs after the last sample, are not
/// counted; CPU has the kernel's clock-tick resolution (10 ms); the summed RSS counts shared pages once per process.
/// A process's memory leaves /proc before its stdout closes (the kernel releases it first on exit), so the last sample
/// of a <c>per_call</c> agent is the one taken when its answer starts to arrive, not at its end of output. Samples need
/// the CPU (and, as managed code, wait out the runner's garbage collections): on 2 cores at load 19 a <c>per_call</c>
/// agent that answered in 37 ms ended before its first periodic sample, and its figures were those of its start.
/// The memory limit is enforced by this sampling, not by the kernel: cgroup v2 <c>memory.max</c> needs a delegated
/// memory controller (absent on hosts such as this project's CI, which mount cgroup v1), and <c>RLIMIT_AS</c> limits
/// address space, which runtimes with large reservations (JIT, GC heaps) exceed without using the memory. A tree over
/// the limit at a sample is killed and the task is <c>limit_exceeded</c>; it passes the limit by at most what it
/// allocates in one sampling interval (<c>VmHWM</c> still records the true peak). A <c>json_lines</c> worker outlives
/// its answer, so the sample taken then sees its <c>VmHWM</c> for the whole task: a task that passed the limit between
/// two samples is still <c>limit_exceeded</c>. A <c>per_call</c> agent that passes the limit and exits between two
/// samples is not caught.
/// </para>
/// </summary>
internal sealed class ProcessTreeMonitor : IAsyncDisposable
{
    /// <summary>USER_HZ: the unit of /proc's CPU times, fixed at 100 by the kernel's ABI on every Linux architecture.</summary>
    private const double MillisecondsPerTick = 10;

    private readonly int _rootPid;
    private readonly long? _limitKb;
    private readonly Action _onLimit;
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _peakKb;
    private long _cpuTicks;
    private long _cpuBaselineTicks;
    private bool _sampled;

    /// <param name="onLimit">Called once, from the sampling loop, when the tree passes <paramref name="memoryLimitMb"/>.</param>
    public ProcessTreeMonitor(int rootPid, TimeSpan interval, double? memoryLimitMb, Action onLimit)
    {
        _rootPid = rootPid;
        _limitKb = memoryLimitMb is { } mb ? (long)(mb * 1024) : null;
        _onLimit = onLimit;
        Sample();
        new Thread(() => Loop(interval)) { IsBackground = true, Name = $"ProcessTreeMonitor {rootPid}" }.Start();
    }

    /// <summary>True once the tree passed its memory limit (and was handed to the limit callback).</summary>
    public bool LimitExceeded { get; private set; }

    /// <summary>Peak resident memory of the tree since the task began, in MB; null when /proc could not be read.</summary>
    public double? PeakMemoryMb
    {
        get
        {
            lock (_lock)
            {
                return _sampled ? _peakKb / 1024.0 : null;
            }
        }
    }

    /// <summary>CPU time (user + system) of the tree since the task began, in ms; null when /proc could not be read.</summary>
    public double? CpuTimeMs
    {
        get
        {
            lock (_lock)
            {
                return _sampled ? Math.Max(0, _cpuTicks - _cpuBaselineTicks) * MillisecondsPerTick : null;
            }
        }
    }

    /// <summary>
    /// Starts a new task on a long-lived process (json_lines): resets the kernel's per-process peak
    /// (<c>clear_refs</c> 5 resets <c>VmHWM</c> to the current RSS) and makes the CPU used so far the baseline.
    /// </summary>
    public void BeginTask()
    {
        foreach (var pid in ProcFs.Tree(_rootPid))
        {
            ProcFs.ResetPeak(pid);
        }

        lock (_lock)
        {
            _peakKb = 0;
            _sampled = false;
            _cpuBaselineTicks = 0;
        }

        Sample();
        lock (_lock)
        {
            _cpuBaselineTicks = _cpuTicks;
        }
    }

    /// <summary>Reads the tree now: call it when the answer is in, before the process is reaped.</summary>
    public void Sample()
    {
        long rssKb = 0, hwmKb = 0, ticks = 0;
        var any = false;
        foreach (var pid in ProcFs.Tree(_rootPid))
        {
            if (ProcFs.ReadCpuTicks(pid) is { } cpu)
            {
                any = true;
                ticks += cpu;
            }

            rssKb += ProcFs.ReadStatusKb(pid, "VmRSS:") ?? 0;
            hwmKb = Math.Max(hwmKb, ProcFs.ReadStatusKb(pid, "VmHWM:") ?? 0);
        }

        if (!any)
        {
            return;
        }

        bool trip;
        lock (_lock)
        {
            _sampled = true;
            _peakKb = Math.Max(_peakKb, Math.Max(rssKb, hwmKb));
            _cpuTicks = Math.Max(_cpuTicks, ticks);
            trip = !LimitExceeded && _limitKb is { } limit && _peakKb > limit;
            LimitExceeded |= trip;
        }

        if (trip)
        {
            _onLimit();
        }
    }

    /// <summary>Samples until disposed, on its own thread: a starved thread pool must not pause the memory limit.</summary>
    private void Loop(TimeSpan interval)
    {
        try
        {
            while (!_stop.Wait(interval))
            {
                Sample();
            }

            _stopped.SetResult();
        }
        catch (Exception e)
        {
            // From the limit's callback. Unhandled on this thread it would end the runner: DisposeAsync throws it instead.
            _stopped.SetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Set();
        await _stopped.Task;
        _stop.Dispose();
    }
}

/// <summary>What the runner reads from /proc about its agents' processes.</summary>
internal static class ProcFs
{
    public static bool Available => OperatingSystem.IsLinux() && Directory.Exists("/proc/self/task");

    /// <summary>The process and its descendants, parents first (empty once the process is gone).</summary>
    public static List<int> Tree(int rootPid)
    {
        var tree = new List<int>();
        if (!Directory.Exists($"/proc/{rootPid}"))
        {
            return tree;
        }

        var queue = new Queue<int>([rootPid]);
        var seen = new HashSet<int>();
        while (queue.TryDequeue(out var pid))
        {
            if (!seen.Add(pid))
            {
                continue;
            }

            tree.Add(pid);
            foreach (var child in Children(pid))
            {
                queue.Enqueue(child);
            }
        }

        return tree;
    }

    /// <summary>Every live process whose session is <paramref name="sessionId"/> (descendants that were reparented).</summary>
    public static List<int> Session(int sessionId)
    {
        var members = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadStatFields(pid) is { } fields && fields.Length > 3 && fields[3] == sessionId.ToString(CultureInfo.InvariantCulture))
            {
                members.Add(pid);
            }
        }

        return members;
    }

    public static bool IsSessionLeader(int pid) =>
        ReadStatFields(pid) is { Length: > 3 } fields && fields[3] == pid.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>utime + stime + cutime + cstime</c> in clock ticks, or null when the process is gone.</summary>
    public static long? ReadCpuTicks(int pid)
    {
        // Fields after the command name, numbered from state (field 3): utime is field 14, so index 11.
        if (ReadStatFields(pid) is not { Length: > 14 } fields)
        {
            return null;
        }

        long total = 0;
        for (var i = 11; i <= 14; i++)
        {
            total += long.TryParse(fields[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ticks) ? Math.Max(0, ticks) : 0;
        }

        return total;
    }

    /// <summary>A <c>kB</c> line of <c>/proc/&lt;pid&gt;/status</c>, or null (process gone, or a zombie without memory).</summary>
    public static long? ReadStatusKb(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var value = line.AsSpan(key.Length).Trim();
                    var space = value.IndexOf(' ');
                    return long.TryParse(space < 0 ? value : value[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone between listing and reading.
        }

        return null;
    }

    /// <summary>Resets <c>VmHWM</c> to the current RSS (<c>clear_refs</c> value 5, Linux 4.0+); best effort.</summary>
    public static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, or not ours to reset: the peak then covers the process's life so far.
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var task in tasks)
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                {
                    yield return child;
                }
            }
        }
    }

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> after the command name (which may hold spaces and parentheses).</summary>
    private static string[]? ReadStatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            return end < 0 ? null : stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Kills a process and everything it started: its tree (<see cref="Process.Kill(bool)"/>), then whatever is left in
    /// its session (the agent was started as a session leader through <c>setsid</c>, so a grandchild that its parent
    /// orphaned is still found there).
    /// </summary>
    public static void KillTree(Process process)
    {
        int pid;
        try
        {
            pid = process.Id;
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return; // Never started, or already exited and reaped.
        }

        if (!Available)
        {
            return;
        }

        foreach (var member in Session(pid))
        {
            try
            {
                using var orphan = Process.GetProcessById(member);
                orphan.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already.
            }
        }
    }
}
