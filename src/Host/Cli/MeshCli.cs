using System.CommandLine;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Mesh.Host.Cli;

/// <summary>
/// The <c>mesh</c> command line: <c>run</c> (the default verb: <c>mesh</c> alone runs Mesh) and the forensics verbs
/// <c>at</c>, <c>diff</c>, <c>timeline</c>, <c>events</c> and <c>verify</c>, which read a running Mesh (<c>--api</c>)
/// or a data directory (<c>--data</c>, read-only, also while Mesh runs on it).
/// Exit codes: <see cref="Ok"/>, <see cref="NotFound"/> (nothing of that name, or verify found a mismatch),
/// <see cref="Usage"/> (bad usage, a bad time, an unreachable or refusing target); the reason goes to stderr.
/// </summary>
public static class MeshCli
{
    public const int Ok = 0;
    public const int NotFound = 1;
    public const int Usage = 2;

    /// <summary>Parses <paramref name="args"/> and runs the verb, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var io = new CliIo(output, error);
        var root = Build(args, io);
        var parsed = root.Parse(args);
        // The root (mesh run's configuration arguments) lets unmatched tokens through, and with it every verb: a
        // forensics verb refuses them itself.
        var stray = parsed.CommandResult.Command.Name is "run" || parsed.CommandResult.Command == root
            ? []
            : parsed.UnmatchedTokens.Select(t => $"Unrecognized command or argument '{t}'.");
        var errors = parsed.Errors.Select(e => e.Message).Concat(stray).ToList();
        if (errors.Count > 0)
        {
            foreach (var e in errors) await error.WriteLineAsync(e);
            var verb = parsed.CommandResult.Command == root ? "mesh" : $"mesh {parsed.CommandResult.Command.Name}";
            await error.WriteLineAsync($"See '{verb} --help'.");
            return Usage;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
    }

    private static RootCommand Build(string[] args, CliIo io)
    {
        // `mesh` with no verb is `mesh run`.
        var run = new Command("run", "Run Mesh: store, registry, projections, health checks and the HTTP API.");
        run.TreatUnmatchedTokensAsErrors = false;
        run.SetAction(async (_, ct) => await RunAsync(args.SkipWhile(a => a == "run").ToArray(), io.Error));

        var root = new RootCommand("Mesh: event-sourced service discovery and routing.")
        {
            run,
            AtVerb.Build(io),
            DiffVerb.Build(io),
            TimelineVerb.Build(io),
            EventsVerb.Build(io),
            VerifyVerb.Build(io),
        };
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction(async (_, ct) =>
        {
            // `mesh` takes configuration arguments (--Mesh:DataDir=..., Mesh:Api:Url=...); a bare word is a mistyped verb,
            // which must not start a Mesh.
            if (args.FirstOrDefault() is { } first && !first.StartsWith('-') && !first.Contains('=', StringComparison.Ordinal))
            {
                await io.Error.WriteLineAsync($"'{first}' is not a mesh verb (run, at, diff, timeline, events, verify). See 'mesh --help'.");
                return Usage;
            }
            return await RunAsync(args, io.Error);
        });
        return root;
    }

    /// <summary>
    /// Runs a forensics verb: its <see cref="CliException"/>s, an unreachable target and a store that cannot be read
    /// become a message on stderr and an exit code; cancelling (Ctrl+C on <c>events --follow</c>) ends it with 0.
    /// </summary>
    internal static async Task<int> RunVerbAsync(CliIo io, Func<Task<int>> verb, CancellationToken ct)
    {
        try
        {
            return await verb();
        }
        catch (CliException ex)
        {
            await io.Error.WriteLineAsync(ex.Message);
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Ok;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or SocketException or SqliteException)
        {
            // The store cannot be read (a damaged row names its position): say so, without a stack trace.
            await io.Error.WriteLineAsync(ex.Message);
            return Usage;
        }
    }

    private static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        WebApplication app;
        try
        {
            app = MeshApp.Build(args);
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return 2;
        }
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            await error.WriteLineAsync($"Mesh could not start: {ex.Message}");
            return 2;
        }
    }
}

/// <summary>Where a verb writes: its answer to <see cref="Output"/>, what went wrong to <see cref="Error"/>.</summary>
internal sealed record CliIo(TextWriter Output, TextWriter Error);

/// <summary>A verb's failure: <see cref="Exception.Message"/> goes to stderr, <see cref="ExitCode"/> is the process's.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(MeshCli.Usage, message);

    public static CliException NotFound(string message) => new(MeshCli.NotFound, message);
}
