namespace Mesh.Nginx.Configuration;

/// <summary><c>Mesh:Nginx</c>: the targets by name (<c>Targets:0:...</c> or <c>Targets:edge:...</c>).</summary>
public sealed class NginxOptions
{
    public const string Section = "Mesh:Nginx";

    public Dictionary<string, NginxTargetOptions> Targets { get; set; } = new(StringComparer.Ordinal);
}
