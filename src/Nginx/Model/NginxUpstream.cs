namespace Mesh.Nginx.Model;

/// <summary>
/// One upstream: <see cref="Name"/> is <c>&lt;service&gt;</c> in integration, <c>&lt;service&gt;--&lt;env&gt;</c> elsewhere.
/// <see cref="Servers"/> are the passing instances (of the environment, or of the one it falls back to); empty:
/// the template points the upstream at the 503 placeholder.
/// </summary>
public sealed record NginxUpstream(string Name, string Service, string Env, string? AnsweredBy, IReadOnlyList<NginxEndpoint> Servers)
{
    public bool Placeholder => Servers.Count == 0;
}
