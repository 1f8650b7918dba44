using Microsoft.Extensions.Primitives;
using Mesh.Registry.Instances;

namespace Mesh.Host.Api.Consul;

/// <summary>The <c>?tag=</c> filter of catalog and health reads.</summary>
internal static class InstanceFilters
{
    /// <summary>True when the instance has every tag asked for; Consul compares tags ignoring case.</summary>
    public static bool HasTags(InstanceState instance, StringValues tags)
    {
        var own = instance.Registration?.Tags ?? [];
        foreach (var tag in tags)
        {
            if (string.IsNullOrEmpty(tag)) continue;
            if (!own.Contains(tag, StringComparer.OrdinalIgnoreCase)) return false;
        }
        return true;
    }
}
