using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Host.Cli;
using Xunit;

namespace Mesh.Host.Tests.Cli;

/// <summary>What one <c>mesh</c> invocation did: its exit code and what it wrote to stdout and stderr.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Err)
{
    public JsonNode Json() => JsonNode.Parse(Out) ?? throw new InvalidOperationException($"stdout is not JSON: {this}");

    public JsonElement JsonElement() => JsonDocument.Parse(Out).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{Out}--- stderr ---{Environment.NewLine}{Err}";
}

/// <summary>Runs the <c>mesh</c> command line in-process (<see cref="MeshCli.InvokeAsync"/>) with captured output.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await MeshCli.InvokeAsync(args, output, error, TestContext.Current.CancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts exit 0.</summary>
    public static async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"mesh {string.Join(' ', args)}: {result}");
        return result;
    }
}

/// <summary>
/// A writer that a test can wait on: <see cref="WaitForAsync"/> completes once what was written contains a text.
/// Lines from the CLI's follow loop arrive on another thread.
/// </summary>
internal sealed class WatchedWriter : StringWriter
{
    private readonly Lock _gate = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
            Check();
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
            Check();
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            base.Write(buffer, index, count);
            Check();
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            base.Write(buffer);
            Check();
        }
    }

    public string Text
    {
        get { lock (_gate) return GetStringBuilder().ToString(); }
    }

    public Task WaitForAsync(string text)
    {
        lock (_gate)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            Check();
            return seen.Task;
        }
    }

    private void Check()
    {
        var written = GetStringBuilder().ToString();
        foreach (var (text, seen) in _waiters)
            if (written.Contains(text, StringComparison.Ordinal)) seen.TrySetResult();
    }

    public override Encoding Encoding => Encoding.UTF8;
}
