using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mesh.Host.Cli;

/// <summary>
/// How a verb prints its answer: the API's JSON as it is (<c>--json</c>, for scripts) or tables for people (Spectre.Console,
/// without colours or wrapping when the output is not a terminal, so that it greps well).
/// </summary>
internal sealed class CliOutput
{
    private readonly TextWriter _writer;
    private readonly bool _terminal;

    public CliOutput(TextWriter writer)
    {
        _writer = writer;
        _terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
    }

    /// <summary>One JSON document (or NDJSON line), exactly as the API writes it.</summary>
    public void Json(JsonElement json) => _writer.WriteLine(json.GetRawText());

    public void Line(string text = "") => _writer.WriteLine(text);

    /// <summary>A table with <paramref name="headers"/>; nothing but <paramref name="empty"/> when there are no rows.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string empty)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers) table.AddColumn(new TableColumn(new Text(header)));
        var any = false;
        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell)));
            any = true;
        }
        if (!any)
        {
            _writer.WriteLine(empty);
            return;
        }
        // Rendered apart, then written without the border's blank first and last lines and trailing blanks.
        var rendered = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(rendered),
        });
        // A terminal's width wraps long cells; a pipe has none, so nothing is wrapped there.
        console.Profile.Width = _terminal ? Math.Max(Console.WindowWidth, 40) : 4_096;
        console.Write(table);
        var lines = rendered.ToString().Split('\n').Select(l => l.TrimEnd()).ToList();
        foreach (var line in lines.SkipWhile(l => l.Length == 0).Reverse().SkipWhile(l => l.Length == 0).Reverse())
            _writer.WriteLine(line);
    }

    /// <summary>
    /// One line of columns, each padded to its width in <paramref name="widths"/> (a longer cell pushes the rest along),
    /// for lines printed one by one as they come (<c>events --follow</c>).
    /// </summary>
    public void Row(IReadOnlyList<string> cells, IReadOnlyList<int> widths) =>
        _writer.WriteLine(string.Join("  ", cells.Select((c, i) => i < widths.Count ? c.PadRight(widths[i]) : c)).TrimEnd());

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "";
}

/// <summary>Reading the API's JSON answers for tables.</summary>
internal static class JsonRead
{
    public static string Str(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => v.GetRawText(),
        } : "";

    public static long Long(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    public static DateTimeOffset? Time(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t) ? t : null;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    public static string List(this JsonElement e, string name) => string.Join(",", e.Items(name).Select(i => i.ValueKind == JsonValueKind.String ? i.GetString() : i.GetRawText()));

    /// <summary>"position 42 (2026-11-30T14:03:12.000Z)" for a point of the log as the API describes it.</summary>
    public static string Point(this JsonElement point)
    {
        var position = point.Long("Position");
        if (position == 0) return "position 0 (the empty registry)";
        return point.Time("RecordedAt") is { } at ? $"position {position} ({CliOutput.Time(at)})" : $"position {position}";
    }
}
