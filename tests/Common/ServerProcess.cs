using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Tests.Common;

/// <summary>
/// A private server the tests start (dockerd, postgres, rabbitmq-server): its output appended to a log file that
/// failure messages quote, and the wait until it serves.
/// </summary>
internal static class ServerProcess
{
    /// <summary>Starts <paramref name="info"/> with standard output and error redirected, line by line, into <paramref name="log"/>.</summary>
    public static Process Start(ProcessStartInfo info, StreamWriter log)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Polls <paramref name="serving"/> every <paramref name="every"/> until it holds. Throws
    /// <see cref="InvalidOperationException"/> when <paramref name="process"/> exits first, and
    /// <see cref="TimeoutException"/> after <paramref name="patience"/>; both name <paramref name="what"/> and end with
    /// <paramref name="describe"/> (the server's log).
    /// </summary>
    public static async Task WaitUntilServingAsync(Process process, Func<Task<bool>> serving, string what, TimeSpan patience, TimeSpan every, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!await serving())
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"{what}: the server exited with code {process.ExitCode} first.{describe()}");
            }
            if (clock.Elapsed > patience)
                throw new TimeoutException($"{what}: not within {patience.TotalSeconds} s.{describe()}");
            await Task.Delay(every);
        }
    }

    /// <summary>
    /// A loopback TCP port free now, below Linux's ephemeral range (32768-60999), so that a port-0 bind elsewhere in
    /// the run cannot take it between this check and the server binding it.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }

    /// <summary>The last 30 lines of a server's log, headed by its <paramref name="name"/>, for failure messages.</summary>
    public static string LogTail(string path, string name)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            text = new StreamReader(stream).ReadToEnd();
        }
        catch (IOException)
        {
            text = "(no log)";
        }
        return $"{Environment.NewLine}--- {name} log (last 30 lines) ---{Environment.NewLine}{string.Join('\n', text.Split('\n').TakeLast(30))}";
    }

    /// <summary>Appends one line of a server's output; a line arriving after the log was closed is dropped.</summary>
    public static void Append(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log)
        {
            try { log.WriteLine(line); }
            catch (ObjectDisposedException) { }
        }
    }
}
