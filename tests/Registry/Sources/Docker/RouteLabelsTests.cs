using Docker.DotNet.Models;
using Mesh.Registry.Events;
using Mesh.Registry.Sources.Docker;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>The mesh.route.* labels of a container → its routes, or the reasons it is rejected (named by label).</summary>
public sealed class RouteLabelsTests
{
    /// <summary>One row: the container's labels, then its routes (when there is no reason) or the reasons expected.</summary>
    public sealed record Case(Dictionary<string, string> Labels, RouteSpec[]? Routes = null, string[]? Reasons = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["no route labels: no route"] = new([]),
        ["host only: the defaults"] = new(new() { ["mesh.route.host"] = "web.example.com" }, [new RouteSpec("web.example.com", "/", false, false, null)]),
        ["every option"] = new(
            new()
            {
                ["mesh.route.host"] = "Shop.example.com",
                ["mesh.route.path"] = "/shop",
                ["mesh.route.strip-prefix"] = "true",
                ["mesh.route.https-redirect"] = "TRUE",
                ["mesh.route.timeout"] = "1m30s",
            },
            [new RouteSpec("shop.example.com", "/shop", StripPrefix: true, HttpsRedirect: true, Timeout: TimeSpan.FromSeconds(90))]),
        ["options set to false and empty labels: the defaults"] = new(
            new() { ["mesh.route.host"] = "web.example.com", ["mesh.route.strip-prefix"] = "false", ["mesh.route.https-redirect"] = "False", ["mesh.route.timeout"] = "" },
            [new RouteSpec("web.example.com")]),
        ["a wildcard host"] = new(new() { ["mesh.route.host"] = "*.shop.example.com" }, [new RouteSpec("*.shop.example.com")]),
        ["a bad wildcard"] = new(new() { ["mesh.route.host"] = "shop.*.com" },
            Reasons: ["label mesh.route.host 'shop.*.com' is not a host name: '*' may only be the whole first label, as in *.example.com"]),
        ["bad option values, each named"] = new(
            new()
            {
                ["mesh.route.host"] = "web.example.com",
                ["mesh.route.path"] = "/api",
                ["mesh.route.strip-prefix"] = "yes",
                ["mesh.route.https-redirect"] = "on",
                ["mesh.route.timeout"] = "soon",
            },
            Reasons:
            [
                "label mesh.route.strip-prefix 'yes' is neither true nor false",
                "label mesh.route.https-redirect 'on' is neither true nor false",
                "label mesh.route.timeout 'soon' is not a duration (e.g. 30s)",
            ]),
        ["a timeout out of range"] = new(new() { ["mesh.route.host"] = "web.example.com", ["mesh.route.timeout"] = "2h" },
            Reasons: ["label mesh.route.timeout '2h' is longer than 1h"]),
        ["options without mesh.route.host"] = new(new() { ["mesh.route.strip-prefix"] = "true", ["mesh.route.timeout"] = "5s" },
            Reasons:
            [
                "label mesh.route.strip-prefix 'true' needs label mesh.route.host (the host the route answers)",
                "label mesh.route.timeout '5s' needs label mesh.route.host (the host the route answers)",
            ]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Read_Table(string name)
    {
        var row = Cases[name];
        var reasons = new List<string>();

        var routes = RouteLabels.Read(ContainerSettings.Read(new ContainerConfig { Labels = row.Labels }), reasons);

        Assert.Equal(row.Reasons ?? [], reasons);
        if (row.Reasons is null) Assert.Equal(row.Routes ?? [], routes);
    }
}
