using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Mesh.Nginx.Tests;

/// <summary>
/// A real nginx master of its own (Debian's nginx-light) in a temporary prefix: pid, logs and temp paths inside it,
/// listening on a free loopback port, with a hand-written server block that proxies to <c>http://web</c> from the
/// included file Mesh renders. The error log is at notice level, so each reload leaves a <c>reconfiguring</c> line.
/// </summary>
internal sealed partial class NginxInstance : IAsyncDisposable
{
    private NginxInstance(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public string ConfPath => Path.Combine(Directory, "nginx.conf");

    public string OutputPath => Path.Combine(Directory, "mesh", "upstreams.conf");

    public string ErrorLog => Path.Combine(Directory, "error.log");

    public string ValidateCommand => $"nginx -t -p {Directory}/ -c {ConfPath}";

    public string ReloadCommand => $"nginx -s reload -p {Directory}/ -c {ConfPath}";

    /// <summary>Starts nginx with <paramref name="initialUpstreams"/> (given the file's path) as the included file.</summary>
    public static async Task<NginxInstance> StartAsync(Func<string, string> initialUpstreams)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("mesh-nginx-").FullName;
        var port = FreePort();
        var nginx = new NginxInstance(directory, port);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(nginx.OutputPath)!);
        await File.WriteAllTextAsync(nginx.OutputPath, initialUpstreams(nginx.OutputPath));
        await File.WriteAllTextAsync(nginx.ConfPath, $$"""
            daemon on;
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log notice;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                include {{nginx.OutputPath}};
                server {
                    listen 127.0.0.1:{{port}};
                    location / { proxy_pass http://web; }
                }
            }
            """);
        await nginx.StartMasterAsync();
        return nginx;
    }

    public async Task StartMasterAsync()
    {
        var result = await RunAsync($"nginx -p {Directory}/ -c {ConfPath}");
        if (result.ExitCode != 0) throw new InvalidOperationException($"nginx did not start: {result.Output}");
    }

    /// <summary>Stops the master and waits until its pid file is gone.</summary>
    public async Task StopMasterAsync()
    {
        await RunAsync($"nginx -s stop -p {Directory}/ -c {ConfPath}");
        await Wait.UntilAsync(() => !File.Exists(Path.Combine(Directory, "nginx.pid")), "nginx to stop");
    }

    /// <summary>
    /// How many times the master reconfigured (one <c>reconfiguring</c> line per reload it performed), from nginx's
    /// own error log. Reload signals that arrive before the master handled the previous one coalesce into one
    /// reconfiguration, which is what a reload costs nginx.
    /// </summary>
    public int Reconfigurations() => Count(ReconfiguringLine());

    /// <summary>Worker processes that exited: with one worker, one per finished reconfiguration (the old generation).</summary>
    public int WorkerExits() => Count(WorkerExitedLine());

    public string ErrorLogText() => File.Exists(ErrorLog) ? File.ReadAllText(ErrorLog) : "(no error log)";

    private int Count(Regex line) => File.Exists(ErrorLog) ? File.ReadLines(ErrorLog).Count(line.IsMatch) : 0;

    public async ValueTask DisposeAsync()
    {
        await RunAsync($"nginx -s stop -p {Directory}/ -c {ConfPath}");
        // The master unlinks its pid file last; wait for it so the directory can go.
        var pid = Path.Combine(Directory, "nginx.pid");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.Exists(pid) && DateTime.UtcNow < deadline) await Task.Delay(20);
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { /* a worker still exiting */ }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command)
    {
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var info = new ProcessStartInfo(parts[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var p in parts.Skip(1)) info.ArgumentList.Add(p);
        using var process = Process.Start(info)!;
        var err = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, err);
    }

    // "2026/11/26 11:00:26 [notice] 20769#20769: reconfiguring": one per reload the master performed.
    [GeneratedRegex(@"\[notice\] \d+#\d+: reconfiguring$")]
    private static partial Regex ReconfiguringLine();

    [GeneratedRegex(@"\[notice\] \d+#\d+: worker process \d+ exited with code")]
    private static partial Regex WorkerExitedLine();
}
