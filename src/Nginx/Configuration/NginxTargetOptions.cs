namespace Mesh.Nginx.Configuration;

/// <summary>One nginx target, bound from <c>Mesh:Nginx:Targets:&lt;name&gt;</c>.</summary>
public sealed class NginxTargetOptions
{
    public const string UpstreamsMode = "upstreams";
    public const string FullMode = "full";

    /// <summary>The file Mesh owns and nginx includes (in its <c>http</c> block).</summary>
    public string OutputPath { get; set; } = "";

    /// <summary>A Liquid template file; empty: the built-in template.</summary>
    public string? TemplatePath { get; set; }

    /// <summary><c>upstreams</c> (for hand-written server blocks) or <c>full</c> (upstreams + server blocks).</summary>
    public string Mode { get; set; } = UpstreamsMode;

    /// <summary>Services to render; empty: all.</summary>
    public List<string> Services { get; set; } = [];

    /// <summary>Environments to render; empty: all.</summary>
    public List<string> Environments { get; set; } = [];

    /// <summary>The program and its arguments, split on whitespace (no quoting).</summary>
    public string ValidateCommand { get; set; } = "nginx -t";

    public string ReloadCommand { get; set; } = "nginx -s reload";

    public int DebounceMs { get; set; } = 500;

    public int MaxDelayMs { get; set; } = 5000;

    /// <summary>How long a validate or reload command may run before it is killed and counted as failed.</summary>
    public int CommandTimeoutMs { get; set; } = 30_000;

    /// <summary>The <c>listen</c> of rendered server blocks (full mode).</summary>
    public string Listen { get; set; } = "80";

    /// <summary>
    /// Where the 503 placeholder server listens (the backup of upstreams without passing instances); empty: a unix
    /// socket next to <see cref="OutputPath"/> (<c>&lt;OutputPath&gt;.503.sock</c>).
    /// </summary>
    public string? PlaceholderListen { get; set; }

    /// <summary>Wildcard environment hosts are <c>&lt;service&gt;.&lt;env&gt;.&lt;TestDomain&gt;</c> (full mode); default: <c>Mesh:Dns:TestDomain</c>, else <c>test.mesh</c>.</summary>
    public string? TestDomain { get; set; }

    internal bool IsFull => string.Equals(Mode, FullMode, StringComparison.OrdinalIgnoreCase);

    internal string EffectivePlaceholderListen =>
        string.IsNullOrWhiteSpace(PlaceholderListen) ? $"unix:{Path.GetFullPath(OutputPath)}.503.sock" : PlaceholderListen;
}
