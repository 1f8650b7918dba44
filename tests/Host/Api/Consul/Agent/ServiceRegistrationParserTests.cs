using Mesh.Host.Api.Consul.Agent;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;

namespace Mesh.Host.Tests.Api.Consul.Agent;

public sealed class ServiceRegistrationParserTests
{
    private const string Node = "node-1";
    private const string NodeAddress = "127.0.0.1";

    [Fact]
    public void Parse_OnlyName_IdIsNameAndAddressIsTheNodesAndEnvIsIntegration()
    {
        var seen = Valid("""{"Name": "web"}""");

        Assert.Equal("api:web", seen.InstanceId);
        Assert.Equal("api", seen.Source);
        Assert.Equal("web", seen.Service);
        Assert.Equal(NodeAddress, seen.Address);
        Assert.Equal(Node, seen.Node);
        Assert.Equal(0, seen.Port);
        Assert.Equal("integration", seen.Env);
        Assert.Null(seen.Version);
        Assert.Empty(seen.Tags);
        Assert.Empty(seen.Meta);
        Assert.Empty(seen.Routes);
        Assert.Empty(seen.Checks);
    }

    [Fact]
    public void Parse_SnakeCaseKeys_ReadAsConsulReadsThem()
    {
        var seen = Valid("""
            {"name": "web", "id": "web-1", "address": "10.0.0.5", "port": 8080, "tags": ["v1"], "meta": {"team": "a"},
             "check": {"http": "http://10.0.0.5:8080/health", "interval": "5s", "timeout": "2s", "method": "head",
                       "deregister_critical_service_after": "90m", "tls_skip_verify": true, "status": "passing"}}
            """);

        Assert.Equal("api:web-1", seen.InstanceId);
        Assert.Equal("10.0.0.5", seen.Address);
        Assert.Equal(8080, seen.Port);
        Assert.Equal(["v1"], seen.Tags);
        Assert.Equal("a", seen.Meta["team"]);
        var check = Assert.Single(seen.Checks);
        Assert.Equal(
            new CheckSpec("service:web-1", "Service 'web' check", CheckKind.Http, "http://10.0.0.5:8080/health",
                TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(90), HealthStatus.Passing, "HEAD", TlsSkipVerify: true),
            check);
    }

    [Fact]
    public void Parse_MeshMeta_GivesEnvVersionAndRoutes()
    {
        var seen = Valid("""
            {"Name": "web", "Meta": {"mesh-env": "feature-x", "mesh-version": "2.1.0",
                                     "mesh-route-host": "web.example.com, www.example.com", "mesh-route-path": "/api"}}
            """);

        Assert.Equal("feature-x", seen.Env);
        Assert.Equal("2.1.0", seen.Version);
        Assert.Equal([new RouteSpec("web.example.com", "/api"), new RouteSpec("www.example.com", "/api")], seen.Routes);
        Assert.Equal("feature-x", seen.Meta["mesh-env"]);
    }

    [Fact]
    public void Parse_RouteHostWithoutPath_RoutesEverything()
    {
        var seen = Valid("""{"Name": "web", "Meta": {"mesh-route-host": "web.example.com"}}""");

        Assert.Equal([new RouteSpec("web.example.com", "/")], seen.Routes);
    }

    [Fact]
    public void Parse_RouteMetaWithEveryOption_GivesThemToEachHost()
    {
        var seen = Valid("""
            {"Name": "web", "Meta": {"mesh-route-host": "*.Example.com, web.example.com", "mesh-route-path": "/api",
                                     "mesh-route-strip-prefix": "TRUE", "mesh-route-https-redirect": "true",
                                     "mesh-route-timeout": "1m30s"}}
            """);

        Assert.Equal(
            [
                new RouteSpec("*.example.com", "/api", StripPrefix: true, HttpsRedirect: true, Timeout: TimeSpan.FromSeconds(90)),
                new RouteSpec("web.example.com", "/api", StripPrefix: true, HttpsRedirect: true, Timeout: TimeSpan.FromSeconds(90)),
            ],
            seen.Routes);
    }

    [Fact]
    public void Parse_RouteMetaOptionsFalse_AreTheDefaults()
    {
        var seen = Valid("""
            {"Name": "web", "Meta": {"mesh-route-host": "web.example.com", "mesh-route-strip-prefix": "false",
                                     "mesh-route-https-redirect": "False"}}
            """);

        Assert.Equal([new RouteSpec("web.example.com", "/", StripPrefix: false, HttpsRedirect: false, Timeout: null)], seen.Routes);
    }

    [Fact]
    public void Parse_BadRouteMeta_EveryProblemReported()
    {
        var problems = Problems("""
            {"Name": "web", "Meta": {"mesh-route-host": "web.example.com,*.*.example.com", "mesh-route-strip-prefix": "yes",
                                     "mesh-route-https-redirect": "1", "mesh-route-timeout": "soon"}}
            """);

        Assert.Equal(
            [
                "Meta 'mesh-route-host' '*.*.example.com' is not a host name: '*' may only be the whole first label, as in *.example.com",
                "Meta 'mesh-route-strip-prefix' 'yes' is neither true nor false",
                "Meta 'mesh-route-https-redirect' '1' is neither true nor false",
                "Meta 'mesh-route-timeout' 'soon' is not a duration (e.g. 30s)",
            ],
            problems);
    }

    [Fact]
    public void Parse_TtlCheckWithoutStatus_StartsCriticalWithTtlAsInterval()
    {
        var check = Assert.Single(Valid("""{"Name": "web", "Check": {"TTL": "30s"}}""").Checks);

        Assert.Equal(CheckKind.Ttl, check.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), check.Interval);
        Assert.Equal(HealthStatus.Critical, check.InitialStatus);
        Assert.Equal(TimeSpan.FromSeconds(10), check.Timeout);
        Assert.Equal("", check.Target);
    }

    [Fact]
    public void Parse_TcpCheck_TargetsHostAndPort()
    {
        var check = Assert.Single(Valid("""{"Name": "db", "Check": {"TCP": "db.internal:5432", "Interval": "1m30s"}}""").Checks);

        Assert.Equal(CheckKind.Tcp, check.Kind);
        Assert.Equal("db.internal:5432", check.Target);
        Assert.Equal(TimeSpan.FromSeconds(90), check.Interval);
        Assert.Equal("GET", check.Method);
    }

    [Theory]
    [InlineData("""{"Name": "web", "Check": {"TTL": "9s"}}""", new[] { "service:web" })]
    [InlineData("""{"Name": "web", "Checks": [{"TTL": "9s"}]}""", new[] { "service:web" })]
    [InlineData("""{"Name": "web", "Checks": [{"TTL": "9s"}, {"TTL": "9s"}]}""", new[] { "service:web:1", "service:web:2" })]
    [InlineData("""{"Name": "web", "Check": {"TTL": "9s"}, "Checks": [{"TTL": "9s"}]}""", new[] { "service:web:1", "service:web:2" })]
    [InlineData("""{"Name": "web", "Checks": [{"TTL": "9s", "CheckID": "mine"}, {"TTL": "9s"}]}""", new[] { "mine", "service:web:2" })]
    [InlineData("""{"Name": "web", "ID": "web-7", "Checks": [{"TTL": "9s", "ID": "mine"}]}""", new[] { "mine" })]
    [InlineData("""{"Name": "web", "Check": {}}""", new string[0])]
    [InlineData("""{"Name": "web", "Check": null, "Checks": null}""", new string[0])]
    public void Parse_Checks_GetConsulsCheckIds(string body, string[] checkIds) =>
        Assert.Equal(checkIds, Valid(body).Checks.Select(c => c.CheckId));

    [Fact]
    public void Parse_CheckName_DefaultsToConsulsAndKeepsAGivenOne()
    {
        var checks = Valid("""{"Name": "web", "Checks": [{"TTL": "9s"}, {"TTL": "9s", "Name": "disk"}]}""").Checks;

        Assert.Equal(["Service 'web' check", "disk"], checks.Select(c => c.Name));
    }

    [Theory]
    [InlineData("", "the request body is empty")]
    [InlineData("{\"Name\": \"web\"", "not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{}", "service name is required")]
    [InlineData("""{"Name": ""}""", "service name is required")]
    [InlineData("""{"Name": 5}""", "Name must be a string")]
    [InlineData("""{"Name": "Web_1"}""", "service name 'Web_1' is not a DNS label")]
    [InlineData("""{"Name": "web", "Port": 70000}""", "port 70000 is outside 0-65535")]
    [InlineData("""{"Name": "web", "Port": -1}""", "port -1 is outside 0-65535")]
    [InlineData("""{"Name": "web", "Port": "80"}""", "Port must be an integer")]
    [InlineData("""{"Name": "web", "Port": 80.5}""", "Port must be an integer")]
    [InlineData("""{"Name": "web", "ID": "a b"}""", "contains whitespace")]
    [InlineData("""{"Name": "web", "Address": "not an address!"}""", "neither an IP address nor a host name")]
    [InlineData("""{"Name": "web", "Tags": "v1"}""", "Tags must be an array of strings")]
    [InlineData("""{"Name": "web", "Tags": ["v1", 2]}""", "Tags must be an array of strings")]
    [InlineData("""{"Name": "web", "Meta": {"a": 1}}""", "Meta value of 'a' must be a string")]
    [InlineData("""{"Name": "web", "Meta": {"mesh-env": "Feature_X"}}""", "environment 'Feature_X' is not a DNS label")]
    [InlineData("""{"Name": "web", "Meta": {"mesh-route-path": "/x"}}""", "Meta 'mesh-route-path' '/x' needs Meta 'mesh-route-host'")]
    [InlineData("""{"Name": "web", "Meta": {"mesh-route-timeout": "5s"}}""", "Meta 'mesh-route-timeout' '5s' needs Meta 'mesh-route-host'")]
    [InlineData("""{"Name": "web", "Meta": {"mesh-route-host": "a.b", "mesh-route-timeout": "0"}}""", "Meta 'mesh-route-timeout' '0' is not positive")]
    [InlineData("""{"Name": "web", "Meta": {"mesh-route-host": "a.b", "mesh-route-timeout": "90m"}}""", "Meta 'mesh-route-timeout' '90m' is longer than 1h")]
    [InlineData("""{"Name": "web", "Meta": {"mesh-route-host": "*"}}""", "Meta 'mesh-route-host' '*' is not a host name: '*' may only be the whole first label")]
    [InlineData("""{"Name": "web", "Meta": {"mesh-route-host": "a.b", "mesh-route-path": "x"}}""", "must start with '/'")]
    [InlineData("""{"Name": "web", "Meta": {"mesh-route-host": "not a host"}}""", "'not a host' is not a host name")]
    [InlineData("""{"Name": "web", "Check": {"HTTP": "http://x/h", "Interval": "10x"}}""", "Check.Interval '10x' is not a duration")]
    [InlineData("""{"Name": "web", "Check": {"HTTP": "http://x/h", "Interval": "-10s"}}""", "Check.Interval '-10s' is not a duration")]
    [InlineData("""{"Name": "web", "Check": {"HTTP": "http://x/h", "Interval": "10s", "Timeout": "soon"}}""", "Check.Timeout 'soon' is not a duration")]
    [InlineData("""{"Name": "web", "Check": {"HTTP": "http://x/h", "Interval": "10s", "DeregisterCriticalServiceAfter": "90"}}""", "Check.DeregisterCriticalServiceAfter '90' is not a duration")]
    [InlineData("""{"Name": "web", "Check": {"TTL": "soon"}}""", "Check.TTL 'soon' is not a duration")]
    [InlineData("""{"Name": "web", "Check": {"HTTP": "http://x/h"}}""", "needs a positive interval")]
    [InlineData("""{"Name": "web", "Check": {"HTTP": "ftp://x/h", "Interval": "1s"}}""", "Check.HTTP 'ftp://x/h' is not an http(s) URL")]
    [InlineData("""{"Name": "web", "Check": {"TCP": "nohost", "Interval": "1s"}}""", "Check.TCP 'nohost' is not host:port")]
    [InlineData("""{"Name": "web", "Check": {"Args": ["/bin/check"], "Interval": "10s"}}""", "script checks are not supported by Mesh")]
    [InlineData("""{"Name": "web", "Check": {"ScriptArgs": ["/bin/check"], "Interval": "10s"}}""", "script checks are not supported by Mesh")]
    [InlineData("""{"Name": "web", "Check": {"GRPC": "x:1", "Interval": "10s"}}""", "gRPC checks are not supported by Mesh")]
    [InlineData("""{"Name": "web", "Check": {"Interval": "10s"}}""", "Check needs one of HTTP, TCP or TTL")]
    [InlineData("""{"Name": "web", "Check": {"HTTP": "http://x/h", "TTL": "5s"}}""", "more than one of HTTP, TCP and TTL")]
    [InlineData("""{"Name": "web", "Check": {"TTL": "5s", "Interval": "5s"}}""", "both Interval and TTL")]
    [InlineData("""{"Name": "web", "Check": {"TTL": "5s", "Status": "ok"}}""", "Check.Status 'ok' is not one of passing, warning, critical")]
    [InlineData("""{"Name": "web", "Check": {"HTTP": "http://x/h", "Interval": "5s", "Header": {"A": ["b"]}}}""", "Check.Header is not supported")]
    [InlineData("""{"Name": "web", "Checks": [{"TTL": "5s"}, {"TTL": "5x"}]}""", "Checks[1].TTL '5x' is not a duration")]
    [InlineData("""{"Name": "web", "Checks": [{"TTL": "5s"}, 3]}""", "Checks[1] must be an object")]
    [InlineData("""{"Name": "web", "Checks": [{"TTL": "5s", "CheckID": "a"}, {"TTL": "5s", "CheckID": "a"}]}""", "CheckID 'a' is used by more than one check")]
    public void Parse_BadInput_SaysWhatIsWrong(string body, string problem) =>
        Assert.Contains(Problems(body), p => p.Contains(problem, StringComparison.Ordinal));

    [Fact]
    public void Parse_ConsulsDocumentedSample_IsRefusedForItsScriptCheck() =>
        Assert.Contains(Problems(ConsulSamples.AgentServiceRegister), p => p.Contains("script checks are not supported", StringComparison.Ordinal));

    [Fact]
    public void Parse_SeveralProblems_AreAllReported()
    {
        var problems = Problems("""{"Name": "Bad_Name", "Port": 70000, "Check": {"Args": ["x"]}, "Meta": {"mesh-env": "-x"}}""");

        Assert.Contains(problems, p => p.Contains("'Bad_Name' is not a DNS label", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("port 70000", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("script checks", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("environment '-x'", StringComparison.Ordinal));
    }

    private static InstanceSeen Valid(string body)
    {
        var problems = Problems(body, out var seen);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        return seen!;
    }

    private static IReadOnlyList<string> Problems(string body) => Problems(body, out _);

    // What the register endpoint checks before anything is sent: the parse, then the registry's own validation.
    private static List<string> Problems(string body, out InstanceSeen? seen)
    {
        (seen, var errors) = ServiceRegistrationParser.Parse(body, Node, NodeAddress);
        var problems = errors.ToList();
        if (seen is not null) problems.AddRange(InstanceValidation.Validate(seen));
        return problems;
    }
}
