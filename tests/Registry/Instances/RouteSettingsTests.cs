using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;

namespace Mesh.Registry.Tests.Instances;

/// <summary>The one reading of route settings every source uses: a table of declarations and what each gives.</summary>
public sealed class RouteSettingsTests
{
    private static readonly TimeSpan Seconds90 = TimeSpan.FromSeconds(90);

    /// <summary>One row: the settings (null: not set), then the routes (when there is no problem) or the problems expected.</summary>
    public sealed record Case(
        string? Host, string? Path = null, string? StripPrefix = null, string? HttpsRedirect = null, string? Timeout = null,
        RouteSpec[]? Routes = null, string[]? Problems = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Defaults and options
        ["nothing set: no route, no problem"] = new(null),
        ["a host only: path /, no stripping, no redirect, no timeout"] = new("web.example.com",
            Routes: [new RouteSpec("web.example.com", "/", StripPrefix: false, HttpsRedirect: false, Timeout: null)]),
        ["every option, for each host (lower-cased, repeats dropped)"] = new("Web.Example.com, www.example.com,WEB.example.com", "/shop", "TRUE", "True", "1m30s",
            Routes:
            [
                new RouteSpec("web.example.com", "/shop", StripPrefix: true, HttpsRedirect: true, Timeout: Seconds90),
                new RouteSpec("www.example.com", "/shop", StripPrefix: true, HttpsRedirect: true, Timeout: Seconds90),
            ]),
        ["false, in any case, is the default"] = new("web.example.com", "/shop", "False", "FALSE",
            Routes: [new RouteSpec("web.example.com", "/shop")]),
        ["stripping / strips nothing: recorded as no stripping"] = new("web.example.com", "/", "true",
            Routes: [new RouteSpec("web.example.com", "/")]),
        ["several paths, space-separated: one route per host and path"] = new("a.example.com,b.example.com", " /v1  /v2 /v1", "true",
            Routes:
            [
                new RouteSpec("a.example.com", "/v1", StripPrefix: true), new RouteSpec("a.example.com", "/v2", StripPrefix: true),
                new RouteSpec("b.example.com", "/v1", StripPrefix: true), new RouteSpec("b.example.com", "/v2", StripPrefix: true),
            ]),
        ["a timeout of exactly 1h"] = new("web.example.com", Timeout: "1h", Routes: [new RouteSpec("web.example.com", Timeout: TimeSpan.FromHours(1))]),
        ["a sub-second timeout"] = new("web.example.com", Timeout: "250ms", Routes: [new RouteSpec("web.example.com", Timeout: TimeSpan.FromMilliseconds(250))]),
        ["blank options are not set"] = new("web.example.com", " ", "", " ", "", Routes: [new RouteSpec("web.example.com")]),

        // Wildcards
        ["a wildcard host"] = new("*.Example.com", Routes: [new RouteSpec("*.example.com")]),
        ["a wildcard beside a host"] = new("*.example.com,example.com", Routes: [new RouteSpec("*.example.com"), new RouteSpec("example.com")]),
        ["* alone"] = new("*", Problems: ["label host '*' " + BadWildcard]),
        ["* inside a name"] = new("api.*.example.com", Problems: ["label host 'api.*.example.com' " + BadWildcard]),
        ["* as part of the first label"] = new("web*.example.com", Problems: ["label host 'web*.example.com' " + BadWildcard]),
        ["two wildcard labels"] = new("*.*.example.com", Problems: ["label host '*.*.example.com' " + BadWildcard]),
        ["a wildcard of nothing"] = new("*.", Problems: ["label host '*.' is not a host name"]),
        ["a wildcard of something that is no host name"] = new("*.not a host", Problems: ["label host '*.not a host' is not a host name"]),

        // Bad values
        ["a host that is no host name among good ones"] = new("not a host,web.example.com", Problems: ["label host 'not a host' is not a host name"]),
        ["a path without /"] = new("web.example.com", "api", Problems: ["label path 'api' must start with '/'"]),
        ["one of several paths without /"] = new("web.example.com", "/v1 v2", Problems: ["label path 'v2' must start with '/'"]),
        ["strip prefix that is no boolean"] = new("web.example.com", "/api", "yes", Problems: ["label strip-prefix 'yes' is neither true nor false"]),
        ["https redirect that is no boolean"] = new("web.example.com", HttpsRedirect: "1", Problems: ["label https-redirect '1' is neither true nor false"]),
        ["a timeout that is no duration"] = new("web.example.com", Timeout: "soon", Problems: ["label timeout 'soon' is not a duration (e.g. 30s)"]),
        ["a timeout without a unit"] = new("web.example.com", Timeout: "30", Problems: ["label timeout '30' is not a duration (e.g. 30s)"]),
        ["a zero timeout"] = new("web.example.com", Timeout: "0s", Problems: ["label timeout '0s' is not positive"]),
        ["a negative timeout"] = new("web.example.com", Timeout: "-5s", Problems: ["label timeout '-5s' is not positive"]),
        ["a timeout over 1h"] = new("web.example.com", Timeout: "1h0m1s", Problems: ["label timeout '1h0m1s' is longer than 1h"]),
        ["options without a host: each one named"] = new(null, "/api", "true", "false", "30s", Problems:
        [
            "label path '/api' needs label host (the host the route answers)",
            "label strip-prefix 'true' needs label host (the host the route answers)",
            "label https-redirect 'false' needs label host (the host the route answers)",
            "label timeout '30s' needs label host (the host the route answers)",
        ]),
        ["every problem at once, in a fixed order"] = new("*,not a host", "api", "maybe", "sure", "soon", Problems:
        [
            "label path 'api' must start with '/'",
            "label host '*' " + BadWildcard,
            "label host 'not a host' is not a host name",
            "label strip-prefix 'maybe' is neither true nor false",
            "label https-redirect 'sure' is neither true nor false",
            "label timeout 'soon' is not a duration (e.g. 30s)",
        ]),
    };

    private const string BadWildcard = "is not a host name: '*' may only be the whole first label, as in *.example.com";

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Read_Table(string name)
    {
        var row = Cases[name];
        var problems = new List<string>();

        var routes = RouteSettings.Read(
            new RouteDeclaration(Setting("host", row.Host), Setting("path", row.Path), Setting("strip-prefix", row.StripPrefix),
                Setting("https-redirect", row.HttpsRedirect), Setting("timeout", row.Timeout)),
            problems);

        Assert.Equal(row.Problems ?? [], problems);
        if (row.Problems is null) Assert.Equal(row.Routes ?? [], routes); // with problems, the source refuses the whole declaration
    }

    [Fact]
    public void Read_OptionsASourceDoesNotHave_AreDefaults()
    {
        var problems = new List<string>();

        var routes = RouteSettings.Read(new RouteDeclaration(Setting("host", "web.example.com")), problems);

        Assert.Empty(problems);
        Assert.Equal([new RouteSpec("web.example.com")], routes);
    }

    [Theory]
    [InlineData("web.example.com", null)]
    [InlineData("*.example.com", null)]
    [InlineData("localhost", null)]
    [InlineData("*", BadWildcard)]
    [InlineData("a.*", BadWildcard)]
    [InlineData("10.0.0.1", "is not a host name")]
    [InlineData("", "is not a host name")]
    public void ExplainHost_HostNamesAndWildcards(string host, string? problem) =>
        Assert.Equal(problem, RouteSettings.ExplainHost(host));

    [Fact]
    public void Read_NoDeclaration_Throws() =>
        Assert.Throws<ArgumentNullException>(() => RouteSettings.Read(null!, []));

    private static RouteSetting Setting(string key, string? value) => new($"label {key}", value);
}
