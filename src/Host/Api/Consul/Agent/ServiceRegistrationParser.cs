using System.Collections.Immutable;
using System.Text.Json;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Host.Api.Consul.Agent;

/// <summary>
/// The body of <c>PUT /v1/agent/service/register</c> → an <see cref="InstanceSeen"/> from source <c>api</c>, with
/// every problem found on the way. Pure. The Meta keys <c>mesh-env</c>, <c>mesh-version</c> and <c>mesh-route-*</c>
/// (host, path, strip-prefix, https-redirect, timeout) carry what the Docker labels <c>mesh.*</c> carry.
/// </summary>
internal static class ServiceRegistrationParser
{
    public const string EnvMeta = "mesh-env";
    public const string VersionMeta = "mesh-version";
    public const string RouteHostMeta = "mesh-route-host";
    public const string RoutePathMeta = "mesh-route-path";
    public const string RouteStripPrefixMeta = "mesh-route-strip-prefix";
    public const string RouteHttpsRedirectMeta = "mesh-route-https-redirect";
    public const string RouteTimeoutMeta = "mesh-route-timeout";

    /// <summary>
    /// The observation (null when the body could not be read as a service definition at all) and the problems.
    /// Problems that <see cref="InstanceValidation"/> finds (names, port range, address, intervals) are left to it.
    /// </summary>
    public static (InstanceSeen? Seen, IReadOnlyList<string> Errors) Parse(string body, string nodeName, string nodeAddress)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(body))
            return (null, ["the request body is empty; send a JSON service definition such as {\"Name\": \"web\", \"Port\": 8080}"]);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return (null, [$"the request body is not valid JSON: {ex.Message}"]);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, ["the request body must be a JSON object (a service definition)"]);
            var service = new ConsulJsonObject(document.RootElement, "", errors);
            return (Read(service, nodeName, nodeAddress, errors), errors);
        }
    }

    private static InstanceSeen Read(ConsulJsonObject service, string nodeName, string nodeAddress, List<string> errors)
    {
        var name = service.String("Name") ?? "";
        var id = service.String("ID");
        if (string.IsNullOrEmpty(id)) id = name;
        var address = service.String("Address");
        var port = service.Int("Port") ?? 0;
        var tags = service.Strings("Tags") ?? [];
        var meta = service.StringMap("Meta") ?? ImmutableSortedDictionary<string, string>.Empty;

        return new InstanceSeen(
            InstanceId: ConsulServiceIds.InstanceId(id),
            Source: ConsulServiceIds.Source,
            Service: name,
            Env: meta.GetValueOrDefault(EnvMeta) is { Length: > 0 } env ? env : DnsLabel.DefaultEnvironment,
            Address: string.IsNullOrEmpty(address) ? nodeAddress : address,
            Port: port,
            Tags: tags,
            Meta: meta,
            Routes: ReadRoutes(meta, errors),
            Version: meta.GetValueOrDefault(VersionMeta) is { Length: > 0 } version ? version : null,
            Node: nodeName,
            Checks: ReadChecks(service, id, name, errors));
    }

    // Consul gathers Check and Checks into one list; a check without CheckID is "service:{ID}" when it is the only
    // one, else "service:{ID}:{n}" counted from 1 over that list. An empty inline Check ({} or null) is no check.
    private static ImmutableArray<CheckSpec> ReadChecks(ConsulJsonObject service, string serviceId, string serviceName, List<string> errors)
    {
        var definitions = new List<ConsulJsonObject>();
        if (service.Object("Check", "Check") is { IsEmpty: false } inline) definitions.Add(inline);
        definitions.AddRange(service.Objects("Checks") ?? []);

        var checks = ImmutableArray.CreateBuilder<CheckSpec>();
        for (var i = 0; i < definitions.Count; i++)
        {
            var defaultId = definitions.Count == 1 ? $"service:{serviceId}" : $"service:{serviceId}:{i + 1}";
            if (CheckDefinitionParser.Parse(definitions[i], defaultId, serviceName, errors) is { } check) checks.Add(check);
        }
        foreach (var duplicate in checks.GroupBy(c => c.CheckId, StringComparer.Ordinal).Where(g => g.Count() > 1))
            errors.Add($"CheckID '{duplicate.Key}' is used by more than one check");
        return checks.ToImmutable();
    }

    // Several hosts may share one route, comma-separated, as the Docker label allows; the rules are the labels' too.
    private static ImmutableArray<RouteSpec> ReadRoutes(ImmutableSortedDictionary<string, string> meta, List<string> errors)
    {
        RouteSetting Setting(string key) => new($"Meta '{key}'", meta.GetValueOrDefault(key));
        return RouteSettings.Read(
            new RouteDeclaration(Setting(RouteHostMeta), Setting(RoutePathMeta), Setting(RouteStripPrefixMeta),
                Setting(RouteHttpsRedirectMeta), Setting(RouteTimeoutMeta)),
            errors);
    }
}
