using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Registry.Sources.Marathon;

/// <summary>
/// A Marathon app and one of its tasks → an <see cref="InstanceSeen"/> (or an <see cref="InstanceInvalid"/> with
/// every reason it cannot be registered, or nothing when the app asks to be ignored). Pure.
/// </summary>
public static class MarathonMapper
{
    public const string Source = "marathon";

    /// <summary>The app's Marathon health checks, as Marathon reports them (passing when every result is alive).</summary>
    public const string HealthCheckId = "marathon:health";

    public const string AppIdMeta = "marathon-app-id";
    public const string TaskIdMeta = "marathon-task-id";
    public const string HaproxyGroupMeta = "marathon-haproxy-group";

    /// <summary>A source-reported check is never probed; validation still wants a positive interval.</summary>
    private static readonly TimeSpan SourceCheckInterval = TimeSpan.FromSeconds(30);

    public static string InstanceId(string taskId) => $"{Source}:{taskId}";

    /// <summary>
    /// The task id of an instance id as Marathon 1.5+ names them (<c>app.marathon-{uuid}</c> runs task <c>app.{uuid}</c>);
    /// other ids are taken as they are.
    /// </summary>
    public static string TaskIdOfInstance(string instanceId)
    {
        var at = instanceId.LastIndexOf(".marathon-", StringComparison.Ordinal);
        return at < 0 ? instanceId : string.Concat(instanceId.AsSpan(0, at + 1), instanceId.AsSpan(at + ".marathon-".Length));
    }

    public const string PortIndexMeta = "marathon-port-index";

    /// <summary>
    /// The task's instances: one, or one per port (<c>marathon:{task id}:{port index}</c>) when the app has no
    /// <c>mesh.service</c> label and its ports carry their own <c>mesh.service</c> labels. Empty when ignored.
    /// </summary>
    public static IReadOnlyList<Observation> MapAll(MarathonApp app, MarathonTask task, string node, string? group)
    {
        ArgumentNullException.ThrowIfNull(app);
        var ports = app.Ports;
        var named = Enumerable.Range(0, ports.Count)
            .Where(i => ports[i].Labels is { } l && Label(l, MarathonLabels.Service) is not null)
            .ToArray();
        if (named.Length == 0 || Label(app.Labels ?? ImmutableDictionary<string, string>.Empty, MarathonLabels.Service) is not null)
            return Map(app, task, node, group) is { } one ? [one] : [];
        return [.. named.Select(i => Map(app, task, node, group, i)).OfType<Observation>()];
    }

    /// <param name="group">Mesh:Sources:Marathon:Group; when set, apps of another HAPROXY_GROUP get no routes.</param>
    /// <param name="portIndex">The port whose own <c>mesh.service</c> label names the service; null for the task's one service.</param>
    public static Observation? Map(MarathonApp app, MarathonTask task, string node, string? group, int? portIndex = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(task);
        var labels = app.Labels ?? ImmutableDictionary<string, string>.Empty;
        var instanceId = portIndex is { } index ? $"{InstanceId(task.Id)}:{index}" : InstanceId(task.Id);
        var reasons = new List<string>();

        if (Label(labels, MarathonLabels.Ignore) is { } ignore && ignore.Trim().ToLowerInvariant() is "true" or "1" or "t") return null;

        var portService = portIndex is { } i && app.Ports[i].Labels is { } portLabels ? Label(portLabels, MarathonLabels.Service) : null;
        var service = portService ?? Label(labels, MarathonLabels.Service) ?? MarathonServiceNames.FromAppId(app.Id);
        if (DnsLabel.Explain($"service name (app '{app.Id}')", service) is { } serviceProblem) reasons.Add(serviceProblem);

        var env = Label(labels, MarathonLabels.Env) ?? DnsLabel.DefaultEnvironment;
        if (DnsLabel.Explain($"environment (label {MarathonLabels.Env})", env) is { } envProblem) reasons.Add(envProblem);

        var (address, port) = Endpoint(labels, task, portIndex ?? 0, reasons);
        var routes = Routes(labels, group, portIndex, reasons);
        var checks = Checks(app);

        if (reasons.Count > 0) return new InstanceInvalid(instanceId, Source, string.Join("; ", reasons));

        var meta = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        meta[AppIdMeta] = app.Id;
        meta[TaskIdMeta] = task.Id;
        if (portIndex is { } p) meta[PortIndexMeta] = p.ToString(CultureInfo.InvariantCulture);
        if (Label(labels, MarathonLabels.HaproxyGroup) is { } haproxyGroup) meta[HaproxyGroupMeta] = haproxyGroup;

        return new InstanceSeen(instanceId, Source, service, env, address, port, Tags(labels), meta.ToImmutable(),
            routes, Label(labels, MarathonLabels.Version), node, checks);
    }

    /// <summary>The status of the app's health check for this task: passing when Marathon reports every result alive.</summary>
    public static HealthStatus HealthOf(MarathonTask task) =>
        task.HealthCheckResults is { Count: > 0 } results && results.All(r => r.Alive) ? HealthStatus.Passing : HealthStatus.Critical;

    /// <summary>Whether a listed task runs (a task without a state, as old Marathons list them, runs once started).</summary>
    public static bool IsRunning(MarathonTask task) => task.State is null or "TASK_RUNNING";

    private static string? Label(IReadOnlyDictionary<string, string> labels, string key) =>
        labels.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    // mesh.address wins; else the task's first IP (IP-per-task) when it has no host ports; else host + ports[0].
    private static (string Address, int Port) Endpoint(IReadOnlyDictionary<string, string> labels, MarathonTask task, int portIndex, List<string> reasons)
    {
        var port = task.Ports is { } ports && ports.Count > portIndex ? ports[portIndex] : 0;
        var taskIp = task.IpAddresses?.FirstOrDefault(ip => !string.IsNullOrEmpty(ip.IpAddress))?.IpAddress;
        string? address;
        if (Label(labels, MarathonLabels.Address) is { } fixedAddress)
        {
            if (!IPAddress.TryParse(fixedAddress, out _) && Uri.CheckHostName(fixedAddress) != UriHostNameType.Dns)
                reasons.Add($"label {MarathonLabels.Address} '{fixedAddress}' is not an IP address or host name");
            address = fixedAddress;
        }
        else
        {
            address = port == 0 && taskIp is not null ? taskIp : task.Host ?? taskIp;
        }
        if (string.IsNullOrEmpty(address))
        {
            reasons.Add($"task '{task.Id}' has neither a host nor an IP address");
            address = "";
        }
        if (port is < 0 or > 65535)
        {
            reasons.Add($"task '{task.Id}' port {port} is not a port number");
            port = 0;
        }
        return (address, port);
    }

    private static ImmutableArray<string> Tags(IReadOnlyDictionary<string, string> labels) =>
        Label(labels, MarathonLabels.Tags) is { } tags
            ? [.. tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)]
            : [];

    // The mesh.route.* labels, and marathon-lb's HAPROXY_{n}_VHOST with that port's HAPROXY_{n}_PATH and
    // HAPROXY_{n}_REDIRECT_TO_HTTPS (which, as in marathon-lb, mean nothing without the VHOST). None for an app of
    // another HAPROXY_GROUP when a group is configured: it stays registered (DNS), just not routed.
    // A per-port service takes only its own port's HAPROXY_{n}_* labels.
    private static ImmutableArray<RouteSpec> Routes(IReadOnlyDictionary<string, string> labels, string? group, int? portIndex, List<string> reasons)
    {
        if (!string.IsNullOrEmpty(group) && !string.Equals(Label(labels, MarathonLabels.HaproxyGroup), group, StringComparison.Ordinal))
            return [];
        RouteSetting Setting(string key) => new($"label {key}", Label(labels, key));
        var routes = new List<RouteSpec>(RouteSettings.Read(
            new RouteDeclaration(Setting(MarathonLabels.RouteHost), Setting(MarathonLabels.RoutePath), Setting(MarathonLabels.RouteStripPrefix),
                Setting(MarathonLabels.RouteHttpsRedirect), Setting(MarathonLabels.RouteTimeout)),
            reasons));
        foreach (var port in VhostPorts(labels, portIndex))
        {
            var haproxy = MarathonLabels.HaproxyVhostPrefix + port;
            routes.AddRange(RouteSettings.Read(
                new RouteDeclaration(Setting(haproxy + MarathonLabels.HaproxyVhostSuffix), Setting(haproxy + MarathonLabels.HaproxyPathSuffix),
                    HttpsRedirect: Setting(haproxy + MarathonLabels.HaproxyRedirectToHttpsSuffix)),
                reasons));
        }
        return [.. routes.Distinct()];
    }

    // The n of every HAPROXY_{n}_VHOST that names hosts, in label (ordinal) order; only portIndex's when given.
    private static IEnumerable<string> VhostPorts(IReadOnlyDictionary<string, string> labels, int? portIndex) =>
        labels.Keys
            .Where(key => IsVhostKey(key) && Label(labels, key) is not null)
            .Order(StringComparer.Ordinal)
            .Select(key => key[MarathonLabels.HaproxyVhostPrefix.Length..^MarathonLabels.HaproxyVhostSuffix.Length])
            .Where(port => portIndex is null || port == portIndex.Value.ToString(CultureInfo.InvariantCulture));

    private static bool IsVhostKey(string key) =>
        key.StartsWith(MarathonLabels.HaproxyVhostPrefix, StringComparison.Ordinal)
        && key.EndsWith(MarathonLabels.HaproxyVhostSuffix, StringComparison.Ordinal)
        && key.Length > MarathonLabels.HaproxyVhostPrefix.Length + MarathonLabels.HaproxyVhostSuffix.Length
        && key[MarathonLabels.HaproxyVhostPrefix.Length..^MarathonLabels.HaproxyVhostSuffix.Length].All(char.IsAsciiDigit);

    // Marathon probes the app; Mesh only relays its verdict, so the check starts critical until Marathon says alive.
    private static ImmutableArray<CheckSpec> Checks(MarathonApp app) =>
        app.HealthChecks is { Count: > 0 }
            ? [new CheckSpec(HealthCheckId, "Marathon health checks", CheckKind.Source, "", SourceCheckInterval, TimeSpan.Zero, null, HealthStatus.Critical)]
            : [];
}
