using System.Collections.Immutable;
using Docker.DotNet.Models;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Tests.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>
/// The mapper fed with real inspect output (Data/, captured from Debian's docker.io 20.10 at API 1.41, see
/// Data/README.md): one table of described cases, each a container, a host, and every observation expected.
/// </summary>
public sealed class ContainerMapperTests
{
    private const string HostAddress = "10.1.2.3";
    private const string Image = "mesh-busybox:test";
    private static readonly DockerHost Host = new("node-1", HostAddress, Network: null);
    private static readonly TimeSpan Seconds10 = TimeSpan.FromSeconds(10);

    // Above the table: static fields initialise in order.
    private static readonly CheckSpec State = new("docker:state", "Container state", CheckKind.Source, "", TimeSpan.FromSeconds(30), TimeSpan.Zero, null, HealthStatus.Passing);

    private const string NotDnsLabel = "is not a DNS label (lowercase letters, digits and '-', not starting or ending with '-')";

    /// <summary>One row: the captured container, the host it is mapped for, and the observations (given the container id).</summary>
    public sealed record Case(string File, DockerHost Host, Func<string, IReadOnlyList<Observation>> Expected);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Labels
        ["host network with every mesh label: host address, mesh.port, tags, env, version, route, HTTP check"] = new("web-host.json", Host, id =>
        [
            Seen(id, "web", "web-host", HostAddress, 18081, env: "staging", tags: ["blue", "canary"], version: "1.4.2",
                routes: [new RouteSpec("web.example.com", "/shop")],
                checks: [State, Http($"http://{HostAddress}:18081/health", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5))]),
        ]),
        ["an IPv6 host address is bracketed in the HTTP check's URL"] = new("web-host.json", Host with { HostAddress = "fd00::1" }, id =>
        [
            Seen(id, "web", "web-host", "fd00::1", 18081, env: "staging", tags: ["blue", "canary"], version: "1.4.2",
                routes: [new RouteSpec("web.example.com", "/shop")],
                checks: [State, Http("http://[fd00::1]:18081/health", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5))]),
        ]),
        ["mesh.service and mesh.port win over registrator's SERVICE_NAME (label and env); SERVICE_TAGS still applies"] = new("mesh-over-registrator.json", Host, id =>
        [
            Seen(id, "winner", "mesh-over-registrator", HostAddress, 18088, tags: ["env-tag"]),
        ]),
        ["mesh.ignore=true: nothing at all"] = new("ignored.json", Host, _ => []),

        // Rejections
        ["garbage labels: every reason, in a fixed order"] = new("garbage.json", Host, id =>
        [
            new InstanceInvalid($"docker:{id}", "docker",
                $"service name (label mesh.service) 'Bad_Name!' {NotDnsLabel}; " +
                $"environment (label mesh.env) 'Not_Ok' {NotDnsLabel}; " +
                "label mesh.port 'http' is not a port number (1-65535); " +
                "label mesh.check.interval 'soon' is not a positive duration such as 10s, 1m30s or 500ms; " +
                "label mesh.check.http 'health' is not a path (it starts with '/' and has no spaces)"),
        ]),
        ["empty mesh.service and a port out of range"] = new("empty-name.json", Host, id =>
        [
            new InstanceInvalid($"docker:{id}", "docker",
                "label mesh.service is empty; it must name the service; label mesh.port '70000' is not a port number (1-65535)"),
        ]),
        ["mesh.ignore that is no boolean, and a route path without a host"] = new("garbage-route.json", Host, id =>
        [
            new InstanceInvalid($"docker:{id}", "docker",
                "label mesh.ignore 'maybe' is neither true nor false; " +
                "label mesh.route.path 'api' needs label mesh.route.host (the host the route answers)"),
        ]),

        // Registrator compatibility
        ["registrator env on host network: SERVICE_NAME, the exposed port, label SERVICE_TAGS over env, SERVICE_ID in Meta, SERVICE_CHECK_*"] = new("registrator.json", Host, id =>
        [
            Seen(id, "api", "registrator", HostAddress, 8080, tags: ["from-label", "v2"], extraMeta: [("registrator-service-id", "api-1")],
                checks: [State, Http($"http://{HostAddress}:8080/ping", TimeSpan.FromSeconds(15), Seconds10)]),
        ]),
        ["SERVICE_IGNORE: nothing at all"] = new("registrator-ignored.json", Host, _ => []),
        ["SERVICE_<port>_NAME for two ports: one instance per port, each at its published port; port tags over SERVICE_TAGS"] = new("multiport.json", Host, id =>
        [
            Seen(id, "shop", "multiport", HostAddress, 18091, instanceId: $"docker:{id}:8080", tags: ["shop"]),
            // Published on 127.0.0.1 only: reachable there and nowhere else.
            Seen(id, "shop-metrics", "multiport", "127.0.0.1", 18092, instanceId: $"docker:{id}:9090", tags: ["prometheus"]),
        ]),
        ["SERVICE_<port>_NAME on the configured network: the container IP and each container port"] = new("multiport.json", Host with { Network = "meshnet" }, id =>
        [
            Seen(id, "shop", "multiport", "172.17.0.3", 8080, instanceId: $"docker:{id}:8080", tags: ["shop"]),
            Seen(id, "shop-metrics", "multiport", "172.17.0.3", 9090, instanceId: $"docker:{id}:9090", tags: ["prometheus"]),
        ]),
        ["SERVICE_<port>_NAME with a bad name and a bad SERVICE_CHECK_INTERVAL: each port rejected with its own reasons"] = new("multiport-bad.json", Host, id =>
        [
            new InstanceInvalid($"docker:{id}:8080", "docker",
                "environment variable SERVICE_CHECK_INTERVAL 'often' is not a positive duration such as 10s, 1m30s or 500ms"),
            new InstanceInvalid($"docker:{id}:9090", "docker",
                $"service name (environment variable SERVICE_9090_NAME) 'Bad_Metrics' {NotDnsLabel}; " +
                "environment variable SERVICE_CHECK_INTERVAL 'often' is not a positive duration such as 10s, 1m30s or 500ms"),
        ]),

        // Names without labels
        ["no labels: the service name is the container name made a DNS label; no port, so unroutable at its IP"] = new("Shop_Cart.v2.json", Host, id =>
        [
            Seen(id, "shop-cart-v2", "Shop_Cart.v2", "172.17.0.4", 0,
                unroutable: "no port: the container exposes no TCP port and has no mesh.port label"),
        ]),
        ["a Docker Compose replica: its replica suffix is dropped from the name"] = new("shop-cart-2.json", Host, id =>
        [
            Seen(id, "shop-cart", "shop-cart-2", "172.17.0.5", 8080),
        ]),

        // Addresses and ports
        ["one exposed port published: the host address and the published port"] = new("bridged.json", Host, id =>
        [
            Seen(id, "bridged", "bridged", HostAddress, 18090),
        ]),
        ["one exposed port published, on the configured network: the container IP and the container port"] = new("bridged.json", Host with { Network = "meshnet" }, id =>
        [
            Seen(id, "bridged", "bridged", "172.17.0.2", 8080),
        ]),
        ["mesh.port not published, no network configured: the container IP on its network"] = new("internal.json", Host, id =>
        [
            Seen(id, "internal", "internal", "172.17.0.6", 8080),
        ]),
        ["mesh.port not published, not on the configured network: unroutable, and why"] = new("shop-cart-2.json", Host with { Network = "other" }, id =>
        [
            Seen(id, "shop-cart", "shop-cart-2", "172.17.0.5", 0,
                unroutable: "port 8080 is not published and the container has no IP address on network 'other'"),
        ]),
        ["two exposed ports (image EXPOSE) and no mesh.port: unroutable, and why"] = new("two-ports.json", Host, id =>
        [
            Seen(id, "two-ports", "two-ports", "172.17.0.7", 0, image: "mesh-busybox:twoports",
                unroutable: "no port: the container exposes several TCP ports (80, 443); set mesh.port to the one to route"),
        ]),
        ["two ports published (-P) and mesh.port: the host port published for mesh.port"] = new("two-ports-published.json", Host, id =>
        [
            Seen(id, "edge", "two-ports-published", HostAddress, 32768, image: "mesh-busybox:twoports"),
        ]),
        ["two ports published (-P) and mesh.port, on the configured network: the container IP and mesh.port"] = new("two-ports-published.json", Host with { Network = "meshnet" }, id =>
        [
            Seen(id, "edge", "two-ports-published", "172.17.0.8", 443, image: "mesh-busybox:twoports"),
        ]),
        ["--network none: unroutable at the host address"] = new("no-network.json", Host, id =>
        [
            Seen(id, "batch", "no-network", HostAddress, 0,
                unroutable: "no port: the container exposes no TCP port and has no mesh.port label"),
        ]),
        ["the Engine API's documented example (bridge network, HEALTHCHECK, no ports)"] = new("container-inspect-v1.43.json", Host, id =>
        [
            Seen(id, "boring-euclid", "boring_euclid", "172.17.0.2", 0, image: "ubuntu",
                unroutable: "no port: the container exposes no TCP port and has no mesh.port label",
                checks: [State, Health(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30))]),
        ]),

        // Health
        ["HEALTHCHECK starting: a Docker health check with its interval and timeout, critical until healthy"] = new("hc-starting.json", Host, id =>
        [
            Seen(id, "hc", "hc-starting", HostAddress, 18082, checks: [State, Health(TimeSpan.FromHours(1), TimeSpan.FromSeconds(3))]),
        ]),
        ["HEALTHCHECK healthy: the same definition (health comes as reports, not in the registration)"] = new("hc-healthy.json", Host, id =>
        [
            Seen(id, "hc", "hc-healthy", HostAddress, 18083, checks: [State, Health(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))]),
        ]),
        ["HEALTHCHECK without a timeout: Docker's default 30s"] = new("hc-unhealthy.json", Host, id =>
        [
            Seen(id, "hc", "hc-unhealthy", HostAddress, 18084, checks: [State, Health(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30))]),
        ]),
        ["--no-healthcheck: only the state check"] = new("no-hc.json", Host, id =>
        [
            Seen(id, "nohc", "no-hc", HostAddress, 18085),
        ]),
        ["paused: the same definition (paused comes as a report)"] = new("paused.json", Host, id =>
        [
            Seen(id, "pausable", "paused", HostAddress, 18086),
        ]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    public static TheoryData<string> DataFiles => [.. DockerJson.Files()];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Map_Table(string name)
    {
        var (file, host, expected) = Cases[name];
        var container = DockerJson.Inspect(file);

        var observations = ContainerMapper.Map(container, host);

        Assert.Equal(ObservationText.Of(expected(container.ID)), ObservationText.Of(observations));
    }

    [Theory]
    [MemberData(nameof(DataFiles))]
    public void Map_EveryCapturedContainer_GivesWhatTheRegistryAccepts(string file)
    {
        var observations = ContainerMapper.Map(DockerJson.Inspect(file), Host);

        foreach (var seen in observations.OfType<InstanceSeen>())
            Assert.Empty(InstanceValidation.Validate(seen));
        Assert.All(observations, o => Assert.Equal("docker", o.Source));
    }

    [Theory]
    [MemberData(nameof(DataFiles))]
    public void Map_LabelsEnvNetworksAndPortsListedInAnotherOrder_SameObservations(string file)
    {
        var container = DockerJson.Inspect(file);
        var reordered = DockerJson.Inspect(file);
        if (reordered.Config is { } config)
        {
            if (config.Labels is not null) config.Labels = Reversed(config.Labels);
            if (config.ExposedPorts is not null) config.ExposedPorts = Reversed(config.ExposedPorts);
            if (config.Env is not null) config.Env = [.. config.Env.Reverse()];
        }
        if (reordered.NetworkSettings is { } network)
        {
            if (network.Networks is not null) network.Networks = Reversed(network.Networks);
            if (network.Ports is not null) network.Ports = Reversed(network.Ports);
        }

        Assert.Equal(ObservationText.Of(ContainerMapper.Map(container, Host)), ObservationText.Of(ContainerMapper.Map(reordered, Host)));
    }

    [Fact]
    public void Map_GarbageLabelsSeenByEveryReconcile_RejectedOnce()
    {
        var instanceId = ContainerMapper.Map(DockerJson.Inspect("garbage.json"), Host).Single().InstanceId;
        var state = InstanceState.Empty(instanceId);
        var rejections = new List<IInstanceEvent>();
        for (var reconcile = 0; reconcile < 3; reconcile++)
        {
            // A fresh inspect each time, as each reconcile does.
            var invalid = Assert.IsType<InstanceInvalid>(Assert.Single(ContainerMapper.Map(DockerJson.Inspect("garbage.json"), Host)));
            var decision = InstanceDecider.Decide(state, invalid);
            Assert.Contains("label mesh.port 'http'", decision.Error);
            rejections.AddRange(decision.Events);
            state = state.After(invalid);
        }

        Assert.IsType<ObservationRejected>(Assert.Single(rejections));
    }

    [Fact]
    public void Map_NoContainer_Throws() =>
        Assert.Throws<ArgumentNullException>(() => ContainerMapper.Map(null!, Host));

    private static Dictionary<TKey, TValue> Reversed<TKey, TValue>(IDictionary<TKey, TValue> source) where TKey : notnull =>
        source.Reverse().ToDictionary(p => p.Key, p => p.Value);

    private static CheckSpec Health(TimeSpan interval, TimeSpan timeout) =>
        new("docker:health", "Docker HEALTHCHECK", CheckKind.Source, "", interval, timeout, null, HealthStatus.Critical);

    private static CheckSpec Http(string url, TimeSpan interval, TimeSpan timeout) =>
        new("docker:http", $"HTTP GET {new Uri(url).AbsolutePath}", CheckKind.Http, url, interval, timeout, null, HealthStatus.Critical);

    private static InstanceSeen Seen(
        string containerId, string service, string containerName, string address, int port,
        string? instanceId = null, string env = "integration", string[]? tags = null, string? version = null,
        RouteSpec[]? routes = null, CheckSpec[]? checks = null, string image = Image, string? unroutable = null,
        (string Key, string Value)[]? extraMeta = null)
    {
        var meta = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        meta["docker-container-name"] = containerName;
        meta["docker-image"] = image;
        if (unroutable is not null) meta["mesh-unroutable"] = unroutable;
        foreach (var (key, value) in extraMeta ?? []) meta[key] = value;
        return new InstanceSeen(
            instanceId ?? $"docker:{containerId}", "docker", service, env, address, port,
            [.. tags ?? []], meta.ToImmutable(), [.. routes ?? []], version, "node-1", [.. checks ?? [State]]);
    }
}
