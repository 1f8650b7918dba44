namespace Mesh.Registry.Sources.Marathon;

/// <summary>One server-sent event: its <c>event:</c> name (if any) and its <c>data:</c>.</summary>
public sealed record SseFrame(string? EventName, string Data);

/// <summary>
/// Server-sent events framing, line by line (the SSE spec): <c>event:</c> and <c>data:</c> fields, a blank line
/// dispatches, comments (':') and unknown fields are skipped, a frame without data is dropped. Blank lines between
/// <c>event:</c> and <c>data:</c> (seen from some proxies) thus give a frame without a name: the JSON's
/// <c>eventType</c> names it.
/// </summary>
public sealed class MarathonSseParser
{
    private string? _event;
    private System.Text.StringBuilder? _data;

    /// <summary>Feeds one line (without its line ending); returns the frame it completes, if any.</summary>
    public SseFrame? Feed(string line)
    {
        if (line.Length == 0)
        {
            var frame = _data is null ? null : new SseFrame(_event, _data.ToString());
            _event = null;
            _data = null;
            return frame;
        }
        if (line[0] == ':') return null;
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? "" : line[(colon + 1)..];
        if (value.StartsWith(' ')) value = value[1..];
        switch (field)
        {
            case "event":
                _event = value;
                break;
            case "data":
                if (_data is null) _data = new System.Text.StringBuilder(value);
                else _data.Append('\n').Append(value);
                break;
        }
        return null;
    }

    /// <summary>Every frame of a whole text (tests, fixtures).</summary>
    public static IReadOnlyList<SseFrame> ParseAll(string text)
    {
        var parser = new MarathonSseParser();
        var frames = new List<SseFrame>();
        foreach (var line in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (parser.Feed(line) is { } frame) frames.Add(frame);
        }
        if (parser.Feed("") is { } last) frames.Add(last);
        return frames;
    }
}
