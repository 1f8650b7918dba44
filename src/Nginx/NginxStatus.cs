using System.Collections.Concurrent;

namespace Mesh.Nginx;

/// <summary>The status of every nginx target, for <c>/v1/mesh/status</c>.</summary>
public sealed class NginxStatus
{
    private readonly ConcurrentDictionary<string, NginxTargetStatus> _targets = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, NginxTargetStatus> Targets =>
        _targets.ToArray().OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    internal void Update(string target, Func<NginxTargetStatus, NginxTargetStatus> change) =>
        _targets.AddOrUpdate(target, _ => change(new NginxTargetStatus(0, null, null, null, 0)), (_, old) => change(old));
}
