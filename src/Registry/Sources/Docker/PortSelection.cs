using System.Globalization;
using Docker.DotNet.Models;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// The container port of a container's one service: <c>mesh.port</c>, else its only exposed TCP port. It is the port
/// the process listens on inside the container; <see cref="AddressSelection"/> turns it into what others dial.
/// </summary>
internal static class PortSelection
{
    /// <summary>
    /// The port, or null with why there is none (the instance is then unroutable). A <c>mesh.port</c> that is not a port
    /// number adds a reason to <paramref name="reasons"/> (the instance is then rejected).
    /// </summary>
    public static (int? Port, string? NoPortReason) Choose(ContainerInspectResponse container, ContainerSettings settings, List<string> reasons)
    {
        if (LabelledPort(settings, reasons) is { } labelled) return labelled;
        var exposed = ExposedTcpPorts(container);
        return exposed switch
        {
            [var only] => (only, null),
            [] => (null, $"no port: the container exposes no TCP port and has no {MeshLabels.Port} label"),
            _ => (null, $"no port: the container exposes several TCP ports ({string.Join(", ", exposed)}); set {MeshLabels.Port} to the one to route"),
        };
    }

    /// <summary>
    /// <c>mesh.port</c> when the container carries it (a port, or null port when it is garbage, with the reason added),
    /// else null. Called for every container, so a garbage <c>mesh.port</c> is rejected even where it is not used.
    /// </summary>
    public static (int? Port, string? NoPortReason)? LabelledPort(ContainerSettings settings, List<string> reasons)
    {
        if (settings.Label(MeshLabels.Port) is not { IsEmpty: false } label) return null;
        if (TryParse(label.Value, out var port)) return (port, null);
        reasons.Add($"{label.Origin} '{label.Value}' is not a port number (1-65535)");
        return (null, null);
    }

    public static bool TryParse(string? text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    /// <summary>TCP ports the image or <c>--expose</c>/<c>-p</c> declared (<c>Config.ExposedPorts</c>, <c>NetworkSettings.Ports</c>), ascending.</summary>
    public static IReadOnlyList<int> ExposedTcpPorts(ContainerInspectResponse container)
    {
        var keys = (container.Config?.ExposedPorts?.Keys ?? Enumerable.Empty<string>())
            .Concat(container.NetworkSettings?.Ports?.Keys ?? Enumerable.Empty<string>());
        var ports = new SortedSet<int>();
        foreach (var key in keys)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            var protocol = slash < 0 ? "tcp" : key[(slash + 1)..];
            if (protocol == "tcp" && TryParse(slash < 0 ? key : key[..slash], out var port)) ports.Add(port);
        }
        return [.. ports];
    }
}
