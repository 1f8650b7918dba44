using System.Collections.Immutable;
using Docker.DotNet.Models;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// One service of a container → an <see cref="InstanceSeen"/>, an <see cref="InstanceInvalid"/> carrying every reason
/// (in a fixed order, so the same container always gives the same reason and it is recorded once), or nothing when
/// the container asks to be ignored.
/// </summary>
internal static class ServiceMapping
{
    public const string ContainerNameMeta = "docker-container-name";
    public const string ImageMeta = "docker-image";
    public const string RegistratorIdMeta = "registrator-service-id";

    /// <param name="port">The container port for a container with one service per port (<c>SERVICE_&lt;port&gt;_NAME</c>); null for its one service.</param>
    public static Observation? Map(ContainerInspectResponse container, DockerHost host, ContainerSettings settings, string? port)
    {
        var instanceId = port is null ? $"{ContainerMapper.Source}:{container.ID}" : $"{ContainerMapper.Source}:{container.ID}:{port}";
        var reasons = new List<string>();
        if (Ignored(settings, port, reasons)) return null;

        var service = ServiceName(container, settings, port, reasons);
        var env = Environment(settings, reasons);
        var (containerPort, noPortReason) = port is null
            ? PortSelection.Choose(container, settings, reasons)
            : NamedPort(settings, port, reasons);
        var endpoint = AddressSelection.Resolve(container, host, containerPort, noPortReason);
        var tags = Tags(settings.Get(MeshLabels.Tags, MeshLabels.RegistratorTags, port));
        var routes = RouteLabels.Read(settings, reasons);
        var checks = CheckMapping.Checks(container, settings, port, endpoint, reasons);

        if (reasons.Count > 0) return new InstanceInvalid(instanceId, ContainerMapper.Source, string.Join("; ", reasons));
        return new InstanceSeen(
            instanceId, ContainerMapper.Source, service, env, endpoint.Address, endpoint.Port, tags,
            Meta(container, settings, port, endpoint), routes,
            settings.Label(MeshLabels.Version) is { IsEmpty: false } version ? version.Value : null,
            host.Node, checks);
    }

    // mesh.ignore is true or false (a mesh label decides alone); registrator ignores on any SERVICE_IGNORE value, so
    // Mesh does too, except an explicit false.
    private static bool Ignored(ContainerSettings settings, string? port, List<string> reasons)
    {
        if (settings.Label(MeshLabels.Ignore) is { IsEmpty: false } ignore)
        {
            var value = ParseBool(ignore.Value);
            if (value is null) reasons.Add($"{ignore.Origin} '{ignore.Value}' is neither true nor false");
            return value == true;
        }
        return settings.Registrator(MeshLabels.RegistratorIgnore, port) is { IsEmpty: false } registrator
            && ParseBool(registrator.Value) != false;
    }

    private static string ServiceName(ContainerInspectResponse container, ContainerSettings settings, string? port, List<string> reasons)
    {
        var given = port is null
            ? settings.Get(MeshLabels.Service, MeshLabels.RegistratorName, null)
            : settings.Registrator(MeshLabels.RegistratorName, port);
        if (given is { } name)
        {
            if (name.IsEmpty) reasons.Add($"{name.Origin} is empty; it must name the service");
            else if (DnsLabel.Explain($"service name ({name.Origin})", name.Value) is { } problem) reasons.Add(problem);
            return name.Value;
        }
        var derived = ServiceNames.FromContainerName(container.Name, settings.Label(MeshLabels.ComposeContainerNumber)?.Value);
        if (derived.Length == 0)
            reasons.Add($"container name '{container.Name?.TrimStart('/')}' gives no service name (it has no letters or digits); set label {MeshLabels.Service}");
        return derived;
    }

    private static string Environment(ContainerSettings settings, List<string> reasons)
    {
        if (settings.Label(MeshLabels.Env) is not { IsEmpty: false } env) return DnsLabel.DefaultEnvironment;
        if (DnsLabel.Explain($"environment ({env.Origin})", env.Value) is { } problem) reasons.Add(problem);
        return env.Value;
    }

    // One service per port: the port is the one SERVICE_<port>_NAME names; mesh.port, unused here, is still checked.
    private static (int? Port, string? NoPortReason) NamedPort(ContainerSettings settings, string port, List<string> reasons)
    {
        PortSelection.LabelledPort(settings, reasons);
        if (PortSelection.TryParse(port, out var number) && number.ToString(System.Globalization.CultureInfo.InvariantCulture) == port)
            return (number, null);
        var origin = settings.Registrator(MeshLabels.RegistratorName, port)?.Origin;
        reasons.Add($"{origin} names port '{port}', which is not a port number (1-65535)");
        return (null, null);
    }

    // Comma-separated, trimmed, empty entries and repeats dropped, order kept.
    private static ImmutableArray<string> Tags(ContainerSetting? setting) =>
        setting is { IsEmpty: false } tags
            ? [.. tags.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)]
            : [];

    private static ImmutableSortedDictionary<string, string> Meta(
        ContainerInspectResponse container, ContainerSettings settings, string? port, ContainerEndpoint endpoint)
    {
        var meta = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        meta[ContainerNameMeta] = container.Name?.TrimStart('/') ?? "";
        if (container.Config?.Image is { Length: > 0 } image) meta[ImageMeta] = image;
        if (endpoint.Unroutable is { } why) meta[ContainerMapper.UnroutableMeta] = why;
        if (settings.Registrator(MeshLabels.RegistratorId, port) is { IsEmpty: false } id) meta[RegistratorIdMeta] = id.Value;
        return meta.ToImmutable();
    }

    // Go's strconv.ParseBool, as Traefik reads its enable label, without regard to case.
    private static bool? ParseBool(string value) => value.ToLowerInvariant() switch
    {
        "true" or "t" or "1" => true,
        "false" or "f" or "0" => false,
        _ => null,
    };
}
