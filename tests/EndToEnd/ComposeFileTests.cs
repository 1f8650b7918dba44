using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The top-level docker-compose.yml, the distributed deployment, as <c>docker-compose config</c> resolves it
/// (Debian's docker-compose 1.29, installed by scripts/test.sh). The image itself is not built here: the test
/// machines cannot pull the official .NET images; the topology runs as processes in the other end-to-end tests.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] MeshServices = ["registry-1", "registry-2", "edge-1", "edge-2", "agent"];
    private static readonly string[] AllServices = ["postgres", "rabbitmq", .. MeshServices];

    // Every mesh service shares the store and the bus (ARCHITECTURE.md, "Distributed shape").
    private static readonly Dictionary<string, string> SharedSettings = new()
    {
        ["MESH__STORE__KIND"] = "postgres",
        ["MESH__BUS__TRANSPORT"] = "rabbitmq",
        ["MESH__BUS__RABBITMQ__HOST"] = "rabbitmq",
        ["MESH__BUS__RABBITMQ__PORT"] = "5672",
    };

    private static readonly string[] SharedKeys =
    [
        "MESH__STORE__CONNECTIONSTRING", "MESH__BUS__RABBITMQ__USERNAME", "MESH__BUS__RABBITMQ__PASSWORD",
        "MESH__BUS__RABBITMQ__VIRTUALHOST",
    ];

    private static readonly Lazy<Task<JsonObject>> Resolved = new(() => ResolveAsync());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Config_IsValid_AndHasExactlyTheClusterServices()
    {
        var services = await ComposeAsync(["config", "--services"]);

        Assert.Equal(AllServices.Order(StringComparer.Ordinal), Lines(services).Order(StringComparer.Ordinal));
        Assert.Equal(AllServices.Order(StringComparer.Ordinal), Services(await Resolved.Value).Select(s => s.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("registry-1", "registry")]
    [InlineData("registry-2", "registry")]
    [InlineData("edge-1", "edge")]
    [InlineData("edge-2", "edge")]
    [InlineData("agent", "agent")]
    public async Task MeshService_SetsItsRole_TheSharedStoreAndTheBus(string service, string role)
    {
        var environment = EnvironmentOf(Service(await Resolved.Value, service));

        Assert.Equal(role, environment.GetValueOrDefault("MESH__ROLE"));
        foreach (var (key, value) in SharedSettings)
            Assert.True(environment.GetValueOrDefault(key) == value, $"{service}: {key} is '{environment.GetValueOrDefault(key)}', not '{value}'");
        foreach (var key in SharedKeys)
            Assert.True(!string.IsNullOrEmpty(environment.GetValueOrDefault(key)), $"{service} does not set {key}");
        var connection = environment["MESH__STORE__CONNECTIONSTRING"]!;
        Assert.Contains("Host=postgres", connection, StringComparison.Ordinal);
        Assert.Contains("Database=mesh", connection, StringComparison.Ordinal);
        // Listening on loopback inside a container would make the API (and /healthz) unreachable from outside it.
        Assert.StartsWith("http://0.0.0.0:", environment.GetValueOrDefault("MESH__API__URL"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MeshServices_BuildTheMeshImageFromTheRepository()
    {
        var config = await Resolved.Value;

        foreach (var service in MeshServices)
        {
            var definition = Service(config, service);
            Assert.Equal("mesh:latest", (string?)definition["image"]);
            var context = definition["build"] is JsonObject build ? (string?)build["context"] : (string?)definition["build"];
            Assert.True(context is not null && Path.GetFullPath(context) == RepositoryRoot(), $"{service} builds from '{context}', not the repository root");
        }
        Assert.True(File.Exists(Path.Combine(RepositoryRoot(), "Dockerfile")), "the compose file builds a Dockerfile that is not there");
    }

    [Fact]
    public async Task Agent_FollowsTheHostsDockerEngine_ThroughItsSocketMountedReadOnly()
    {
        var agent = Service(await Resolved.Value, "agent");

        var socket = Mounts(agent).SingleOrDefault(m => m.Target == "/var/run/docker.sock");
        Assert.True(socket is not null, "the agent does not mount /var/run/docker.sock");
        Assert.Equal("/var/run/docker.sock", socket.Source);
        Assert.True(socket.ReadOnly, "the agent mounts the Docker socket read-write");
        Assert.Equal("unix:///var/run/docker.sock", EnvironmentOf(agent).GetValueOrDefault("MESH__SOURCES__DOCKER__ENDPOINT"));
        // Nothing else runs the Docker source: one agent per Docker host.
        foreach (var other in MeshServices.Where(s => s != "agent"))
            Assert.False(EnvironmentOf(Service(await Resolved.Value, other)).ContainsKey("MESH__SOURCES__DOCKER__ENDPOINT"), $"{other} runs a Docker source");
    }

    [Fact]
    public async Task NamedVolumes_KeepPostgresRabbitMqAndEachMeshServicesCheckpoint()
    {
        var config = await Resolved.Value;
        var declared = Lines(await ComposeAsync(["config", "--volumes"])).ToHashSet(StringComparer.Ordinal);

        AssertNamedVolume(config, declared, "postgres", "/var/lib/postgresql/data");
        AssertNamedVolume(config, declared, "rabbitmq", "/var/lib/rabbitmq");
        // Every role follows the log and keeps its checkpoint in MESH__DATADIR; an edge serves from it, the others are
        // spared a replay from zero. No two processes may share one.
        var checkpoints = new List<string>();
        foreach (var service in MeshServices)
        {
            var dataDir = EnvironmentOf(Service(config, service)).GetValueOrDefault("MESH__DATADIR");
            Assert.True(!string.IsNullOrEmpty(dataDir), $"{service} does not set MESH__DATADIR (where its checkpoint lives)");
            checkpoints.Add(AssertNamedVolume(config, declared, service, dataDir));
        }
        Assert.True(checkpoints.Distinct().Count() == checkpoints.Count, $"services share a checkpoint volume: {string.Join(", ", checkpoints)}");
    }

    [Fact]
    public async Task EveryService_HasAHealthcheck_AndMeshServicesCheckHealthz()
    {
        var config = await Resolved.Value;

        foreach (var service in AllServices)
        {
            var test = Service(config, service)["healthcheck"]?["test"];
            var command = test is JsonArray parts ? string.Join(' ', parts.Select(p => (string?)p)) : (string?)test;
            Assert.True(!string.IsNullOrWhiteSpace(command) && !command.StartsWith("NONE", StringComparison.Ordinal), $"{service} has no healthcheck");
            if (MeshServices.Contains(service)) Assert.Contains("/healthz", command, StringComparison.Ordinal);
        }
        Assert.Contains("pg_isready", HealthCommand(config, "postgres"), StringComparison.Ordinal);
        Assert.Contains("rabbitmq-diagnostics", HealthCommand(config, "rabbitmq"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("registry-1", "postgres,rabbitmq")]
    [InlineData("registry-2", "postgres,rabbitmq")]
    [InlineData("edge-1", "postgres,rabbitmq")]
    [InlineData("edge-2", "postgres,rabbitmq")]
    [InlineData("agent", "postgres,rabbitmq")]
    public async Task MeshService_StartsOnceWhatItUsesIsHealthy_AndRestarts(string service, string dependencies)
    {
        var definition = Service(await Resolved.Value, service);

        var dependsOn = definition["depends_on"] as JsonObject;
        Assert.True(dependsOn is not null, $"{service} has no depends_on with conditions");
        foreach (var dependency in dependencies.Split(','))
            Assert.True((string?)dependsOn[dependency]?["condition"] == "service_healthy", $"{service} does not wait for {dependency} to be healthy: {dependsOn.ToJsonString()}");
        Assert.True((string?)definition["restart"] is "unless-stopped" or "always" or "on-failure", $"{service} has no restart policy");
    }

    [Fact]
    public async Task Edges_PublishGatewayAndDns_UdpAndTcp_OnHostPortsOfTheirOwn()
    {
        var config = await Resolved.Value;
        var published = new List<string>();

        foreach (var edge in new[] { "edge-1", "edge-2" })
        {
            var environment = EnvironmentOf(Service(config, edge));
            Assert.StartsWith("http://0.0.0.0:", environment.GetValueOrDefault("MESH__GATEWAY__URL"), StringComparison.Ordinal);
            Assert.Equal("0.0.0.0", environment.GetValueOrDefault("MESH__DNS__ADDRESS"));
            var gatewayPort = new Uri(environment["MESH__GATEWAY__URL"]!).Port;
            var dnsPort = int.Parse(environment.GetValueOrDefault("MESH__DNS__PORT") ?? "8600", System.Globalization.CultureInfo.InvariantCulture);
            var ports = Ports(Service(config, edge));
            foreach (var (target, protocol) in new[] { (gatewayPort, "tcp"), (dnsPort, "udp"), (dnsPort, "tcp"), (8500, "tcp") })
            {
                var port = ports.SingleOrDefault(p => p.Target == target && p.Protocol == protocol);
                Assert.True(port is not null, $"{edge} does not publish {target}/{protocol}");
                published.Add($"{port.Published}/{protocol}");
            }
        }
        Assert.True(published.Distinct().Count() == published.Count, $"edges publish the same host port twice: {string.Join(", ", published)}");
    }

    [Fact]
    public async Task EveryMeshKey_IsAConfigurationKeyInTheReadmeTable()
    {
        var config = await Resolved.Value;
        var table = ReadmeConfigurationKeys();
        var used = Services(config)
            .SelectMany(s => EnvironmentOf(s.Value).Keys)
            .Where(k => k.StartsWith("MESH__", StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

        Assert.NotEmpty(table);
        Assert.Contains("MESH__ROLE", used);
        var unknown = used.Where(k => !table.Any(pattern => Matches(pattern, k.Split("__")))).ToList();
        Assert.True(unknown.Count == 0, $"docker-compose.yml sets keys README.md's configuration table does not list: {string.Join(", ", unknown)}");
    }

    // ---------------------------------------------------------------------------------------------------------

    private static string AssertNamedVolume(JsonObject config, HashSet<string> declared, string service, string target)
    {
        var mount = Mounts(Service(config, service)).SingleOrDefault(m => m.Target == target.TrimEnd('/'));
        Assert.True(mount is not null, $"{service} mounts nothing at {target}");
        Assert.True(declared.Contains(mount.Source), $"{service} mounts '{mount.Source}' at {target}, not a named volume (declared: {string.Join(", ", declared)})");
        Assert.False(mount.ReadOnly, $"{service} mounts {mount.Source} read-only");
        return mount.Source;
    }

    private static string HealthCommand(JsonObject config, string service) =>
        string.Join(' ', Service(config, service)["healthcheck"]!["test"]!.AsArray().Select(p => (string?)p));

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Services(JsonObject config) =>
        config["services"]?.AsObject() ?? throw new InvalidOperationException("the resolved file has no services");

    private static JsonObject Service(JsonObject config, string name) =>
        config["services"]?[name]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"docker-compose.yml has no service '{name}'");

    /// <summary>A service's environment; a mapping (1.29 and 2.x resolve to one) or a list of <c>KEY=value</c>.</summary>
    private static Dictionary<string, string?> EnvironmentOf(JsonNode? service)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        switch (service?["environment"])
        {
            case JsonObject map:
                foreach (var (key, value) in map) result[key] = value?.ToString();
                break;
            case JsonArray list:
                foreach (var item in list.Select(i => (string)i!))
                {
                    var equals = item.IndexOf('=', StringComparison.Ordinal);
                    if (equals < 0) result[item] = null;
                    else result[item[..equals]] = item[(equals + 1)..];
                }
                break;
        }
        return result;
    }

    private sealed record Mount(string Source, string Target, bool ReadOnly);

    /// <summary>Volumes in either form: <c>source:target[:mode]</c> (1.29) or <c>{source, target, read_only}</c> (2.x).</summary>
    private static List<Mount> Mounts(JsonObject service) =>
        (service["volumes"]?.AsArray() ?? []).Select(v => v switch
        {
            JsonObject o => new Mount((string?)o["source"] ?? "", ((string?)o["target"] ?? "").TrimEnd('/'), o["read_only"] is JsonNode ro && (bool)ro),
            _ => ParseMount((string)v!),
        }).ToList();

    private static Mount ParseMount(string spec)
    {
        var parts = spec.Split(':');
        return parts.Length switch
        {
            1 => new Mount("", parts[0].TrimEnd('/'), false),
            2 => new Mount(parts[0], parts[1].TrimEnd('/'), false),
            _ => new Mount(parts[0], parts[1].TrimEnd('/'), parts[2].Split(',').Contains("ro")),
        };
    }

    private sealed record Port(int Target, string Published, string Protocol);

    /// <summary>Ports in either form: <c>{target, published, protocol}</c> or <c>[ip:]published:target[/protocol]</c>.</summary>
    private static List<Port> Ports(JsonObject service) =>
        (service["ports"]?.AsArray() ?? []).Select(p =>
        {
            if (p is JsonObject o)
                return new Port(int.Parse(o["target"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture), o["published"]?.ToString() ?? "", (string?)o["protocol"] ?? "tcp");
            var spec = (string)p!;
            var slash = spec.IndexOf('/', StringComparison.Ordinal);
            var protocol = slash < 0 ? "tcp" : spec[(slash + 1)..];
            var parts = (slash < 0 ? spec : spec[..slash]).Split(':');
            return new Port(int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture), parts.Length > 1 ? string.Join(':', parts[..^1]) : "", protocol);
        }).ToList();

    /// <summary>
    /// The keys of README.md's configuration table, as segment patterns: each row's first key in full, the keys
    /// after it (<c>`:Port`</c>, <c>`TlsCertFile`</c>) as its siblings, <c>&lt;n&gt;</c>-style placeholders as any segment.
    /// </summary>
    private static List<string[]> ReadmeConfigurationKeys()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var keys = new List<string[]>();
        foreach (var line in readme.Split('\n').Where(l => l.StartsWith("| `Mesh:", StringComparison.Ordinal)))
        {
            var cells = line.Split('|');
            string[]? first = null;
            foreach (Match match in CodeSpan().Matches(cells[1]))
            {
                var token = match.Groups[1].Value;
                if (token.StartsWith("Mesh:", StringComparison.Ordinal))
                {
                    first = token.Split(':');
                    keys.Add(first);
                }
                else if (first is not null)
                {
                    keys.Add([.. first[..^1], .. token.TrimStart(':').Split(':')]);
                }
            }
            foreach (Match match in CodeSpan().Matches(cells[2]))
            {
                if (match.Groups[1].Value.StartsWith("MESH__", StringComparison.Ordinal)) keys.Add(match.Groups[1].Value.Split("__"));
            }
        }
        return keys;
    }

    private static bool Matches(string[] pattern, string[] key) =>
        pattern.Length == key.Length
        && pattern.Zip(key).All(p => (p.First.StartsWith('<') && p.First.EndsWith('>')) || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// The file as <c>docker-compose config</c> resolves it, as JSON: 2.x prints JSON itself (<c>--format json</c>);
    /// 1.29 prints YAML, which its own YAML library (python3-yaml, a dependency of Debian's docker-compose) converts.
    /// </summary>
    private static async Task<JsonObject> ResolveAsync()
    {
        var version = (await ComposeAsync(["version", "--short"])).Trim().TrimStart('v');
        string json;
        if (int.TryParse(version.Split('.')[0], out var major) && major >= 2)
        {
            json = await ComposeAsync(["config", "--format", "json"]);
        }
        else
        {
            var yaml = await ComposeAsync(["config"]);
            json = await RunAsync("python3", ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"], yaml);
        }
        return JsonNode.Parse(json)?.AsObject() ?? throw new InvalidOperationException($"docker-compose config printed no file:\n{json}");
    }

    /// <summary><c>docker-compose -f &lt;repo&gt;/docker-compose.yml ...</c>; asserts exit 0 and no warning.</summary>
    private static Task<string> ComposeAsync(string[] arguments) =>
        RunAsync("docker-compose", ["-f", Path.Combine(RepositoryRoot(), "docker-compose.yml"), .. arguments]);

    private static async Task<string> RunAsync(string program, string[] arguments, string? input = null)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot(),
        };
        // The file's defaults, not whatever the machine running the tests has set.
        foreach (var variable in new[] { "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "MESH_NODE", "MESH_HOST_ADDRESS", "COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES" })
            info.Environment.Remove(variable);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} could not be started ({ex.Message}); scripts/test.sh installs docker-compose (Debian's package, with python3-yaml)", ex);
        }
        using (process)
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }
            var stdout = process.StandardOutput.ReadToEndAsync(Ct);
            var stderr = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct);
            var command = $"{program} {string.Join(' ', arguments)}";
            Assert.True(process.ExitCode == 0, $"{command} exited {process.ExitCode}:\n{await stderr}{await stdout}");
            Assert.True(string.IsNullOrWhiteSpace(await stderr), $"{command} warned:\n{await stderr}");
            return await stdout;
        }
    }

    /// <summary>The directory holding Mesh.sln above the test assembly, else above this source file (--artifacts-path).</summary>
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) }.Where(d => !string.IsNullOrEmpty(d)))
        {
            for (var dir = new DirectoryInfo(start!); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No Mesh.sln above {AppContext.BaseDirectory} or {sourceFile}.");
    }
}
