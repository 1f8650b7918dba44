using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;
using static Mesh.Registry.Tests.Instances.Samples;

namespace Mesh.Registry.Tests.Instances;

public sealed class InstanceDeciderTests
{
    /// <summary>One row: given a state, when an observation arrives, then these events (by type) and this error.</summary>
    public sealed record Case(Func<InstanceState> Given, Observation When, Type[] Then, string[] ErrorMentions);

    private static readonly InstanceSeen Invalid = Seen() with { Service = "Web_Frontend", Env = "Feature X", Port = 70_000, Address = "" };

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["register new"] = new(() => Empty(), Seen(), [typeof(InstanceRegistered)], []),
        ["same registration again"] = new(() => Registered(), Seen(), [], []),
        ["same registration, meta built in another order"] = new(() => Registered(),
            Seen() with { Meta = Meta(("team", "edge"), ("mesh-version", "1.0.0")) }, [], []),
        ["changed tags"] = new(() => Registered(), Seen() with { Tags = ["v2", "http"] }, [typeof(InstanceRegistered)], []),
        ["changed port"] = new(() => Registered(), Seen() with { Port = 9090 }, [typeof(InstanceRegistered)], []),
        ["changed address"] = new(() => Registered(), Seen() with { Address = "10.0.0.8" }, [typeof(InstanceRegistered)], []),
        ["changed meta value"] = new(() => Registered(),
            Seen() with { Meta = Meta(("mesh-version", "1.0.1"), ("team", "edge")) }, [typeof(InstanceRegistered)], []),
        ["added meta key"] = new(() => Registered(),
            Seen() with { Meta = Meta(("mesh-version", "1.0.0"), ("team", "edge"), ("zone", "b")) }, [typeof(InstanceRegistered)], []),
        ["changed check interval"] = new(() => Registered(),
            Seen() with { Checks = [HttpCheck with { Interval = TimeSpan.FromSeconds(30) }, TcpCheck] }, [typeof(InstanceRegistered)], []),
        ["removed a check"] = new(() => Registered(), Seen() with { Checks = [TcpCheck] }, [typeof(InstanceRegistered)], []),
        ["changed service"] = new(() => Registered(), Seen() with { Service = "api" }, [typeof(InstanceRegistered)], []),
        ["changed environment"] = new(() => Registered(), Seen() with { Env = "feature-x" }, [typeof(InstanceRegistered)], []),
        ["changed deploy version"] = new(() => Registered(), Seen() with { Version = "1.1.0" }, [typeof(InstanceRegistered)], []),
        ["changed route"] = new(() => Registered(), Seen() with { Routes = [new RouteSpec("web.example.test", "/v2")] }, [typeof(InstanceRegistered)], []),
        ["registers again after deregistration"] = new(() => Registered().After(new InstanceGone(Id, "docker", "die")), Seen(), [typeof(InstanceRegistered)], []),

        ["bad service name"] = new(() => Empty(), Seen() with { Service = "Web_Frontend" }, [typeof(ObservationRejected)], ["service name 'Web_Frontend'"]),
        ["service name too long"] = new(() => Empty(), Seen() with { Service = new string('a', 64) }, [typeof(ObservationRejected)], ["longer than 63"]),
        ["service name with a leading dash"] = new(() => Empty(), Seen() with { Service = "-web" }, [typeof(ObservationRejected)], ["'-web'"]),
        ["bad environment"] = new(() => Empty(), Seen() with { Env = "Feature X" }, [typeof(ObservationRejected)], ["environment 'Feature X'"]),
        ["reserved environment"] = new(() => Empty(), Seen() with { Env = "service" }, [typeof(ObservationRejected)], ["environment 'service' is a reserved name"]),
        ["port 70000"] = new(() => Empty(), Seen() with { Port = 70_000 }, [typeof(ObservationRejected)], ["port 70000"]),
        ["negative port"] = new(() => Empty(), Seen() with { Port = -1 }, [typeof(ObservationRejected)], ["port -1"]),
        ["empty address"] = new(() => Empty(), Seen() with { Address = "" }, [typeof(ObservationRejected)], ["address is required"]),
        ["address that is no host"] = new(() => Empty(), Seen() with { Address = "not a host!" }, [typeof(ObservationRejected)], ["'not a host!'"]),
        ["check without interval"] = new(() => Empty(), Seen() with { Checks = [HttpCheck with { Interval = TimeSpan.Zero }] }, [typeof(ObservationRejected)], ["positive interval"]),
        ["everything wrong at once"] = new(() => Empty(), Invalid, [typeof(ObservationRejected)],
            ["service name 'Web_Frontend'", "environment 'Feature X'", "port 70000", "address is required"]),
        ["same invalid again"] = new(() => Empty().After(Invalid), Invalid, [],
            ["service name 'Web_Frontend'", "environment 'Feature X'", "port 70000", "address is required"]),
        ["another invalid after a rejection"] = new(() => Empty().After(Invalid), Seen() with { Port = 70_001 }, [typeof(ObservationRejected)], ["port 70001"]),
        ["same invalid after a good registration in between"] = new(() => Empty().After(Invalid).After(Seen()), Invalid, [typeof(ObservationRejected)], ["port 70000"]),
        ["invalid while registered"] = new(() => Registered(), Seen() with { Port = 70_000 }, [typeof(ObservationRejected)], ["port 70000"]),

        ["gone when registered"] = new(() => Registered(), new InstanceGone(Id, "docker", "die"), [typeof(InstanceDeregistered)], []),
        ["gone when unknown"] = new(() => Empty(), new InstanceGone(Id, "docker", "die"), [], []),
        ["gone when already deregistered"] = new(() => Registered().After(new InstanceGone(Id, "docker", "die")), new InstanceGone(Id, "docker", "die"), [], []),

        ["check goes passing"] = new(() => Registered(), Report("web-http", HealthStatus.Passing, "200 OK"), [typeof(InstanceHealthChanged)], []),
        ["check reports its current status and output"] = new(() => Registered().After(Report("web-http", HealthStatus.Passing, "200 OK")),
            Report("web-http", HealthStatus.Passing, "200 OK"), [], []),
        ["check keeps its status with new output"] = new(() => Registered().After(Report("web-http", HealthStatus.Passing, "200 OK")),
            Report("web-http", HealthStatus.Passing, "200 OK in 3 ms"), [typeof(InstanceHealthChanged)], []),
        ["check goes critical"] = new(() => Registered().After(Report("web-http", HealthStatus.Passing, "200 OK")),
            Report("web-http", HealthStatus.Critical, "connection refused"), [typeof(InstanceHealthChanged)], []),
        ["unknown check"] = new(() => Registered(), Report("db-ping", HealthStatus.Passing, "ok"), [], ["no check 'db-ping'"]),
        ["check of an unknown instance"] = new(() => Empty(), Report("web-http", HealthStatus.Passing, "ok"), [], ["not registered"]),

        ["maintenance on"] = new(() => Registered(), Maintenance(true, "deploy"), [typeof(InstanceMaintenanceChanged)], []),
        ["maintenance on again, same reason"] = new(() => Registered().After(Maintenance(true, "deploy")), Maintenance(true, "deploy"), [], []),
        ["maintenance on again, new reason"] = new(() => Registered().After(Maintenance(true, "deploy")), Maintenance(true, "kernel upgrade"), [typeof(InstanceMaintenanceChanged)], []),
        ["maintenance off"] = new(() => Registered().After(Maintenance(true, "deploy")), Maintenance(false, ""), [typeof(InstanceMaintenanceChanged)], []),
        ["maintenance off when off"] = new(() => Registered(), Maintenance(false, ""), [], []),
        ["maintenance of an unknown instance"] = new(() => Empty(), Maintenance(true, "deploy"), [], ["not registered"]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decide_Table(string name)
    {
        var (given, when, then, errorMentions) = Cases[name];

        var decision = InstanceDecider.Decide(given(), when);

        Assert.Equal(then, decision.Events.Select(e => e.GetType()));
        Assert.All(decision.Events, e => Assert.Equal(Id, e.InstanceId));
        if (errorMentions.Length == 0)
        {
            Assert.Null(decision.Error);
            return;
        }
        Assert.NotNull(decision.Error);
        foreach (var mention in errorMentions) Assert.Contains(mention, decision.Error, StringComparison.Ordinal);
        if (decision.Events.SingleOrDefault() is ObservationRejected rejected) Assert.Equal(decision.Error, rejected.Reason);
    }

    [Fact]
    public void Decide_NewInstance_RegistersEverythingTheObservationSays()
    {
        var seen = Seen();

        var registered = Assert.IsType<InstanceRegistered>(Assert.Single(InstanceDecider.Decide(Empty(), seen).Events));

        Assert.Equal(
            (seen.InstanceId, seen.Service, seen.Env, seen.Address, seen.Port, seen.Version, seen.Source, seen.Node),
            (registered.InstanceId, registered.Service, registered.Env, registered.Address, registered.Port, registered.Version, registered.Source, registered.Node));
        Assert.Equal(seen.Tags, registered.Tags);
        Assert.Equal(seen.Meta, registered.Meta);
        Assert.Equal(seen.Routes, registered.Routes);
        Assert.Equal(seen.Checks, registered.Checks);
    }

    [Fact]
    public void Decide_NoRoutesOrChecks_RegistersEmptyListsNotDefaults()
    {
        var registered = Assert.IsType<InstanceRegistered>(Assert.Single(
            InstanceDecider.Decide(Empty(), Seen() with { Routes = default, Checks = default }).Events));

        Assert.False(registered.Routes.IsDefault);
        Assert.False(registered.Checks.IsDefault);
        Assert.Empty(registered.Checks);
    }

    [Fact]
    public void Decide_Invalid_RejectionCarriesSourceAndRawPayload()
    {
        var raw = """{"Name":"Web_Frontend","Port":70000}""";
        var observation = Invalid with { Metadata = new EventMetadata(RawPayload: raw) };

        var rejected = Assert.IsType<ObservationRejected>(Assert.Single(InstanceDecider.Decide(Empty(), observation).Events));

        Assert.Equal(("docker", raw), (rejected.Source, rejected.RawPayload));
    }

    [Fact]
    public void Decide_Gone_RecordsTheReason()
    {
        var deregistered = Assert.IsType<InstanceDeregistered>(Assert.Single(
            InstanceDecider.Decide(Registered(), new InstanceGone(Id, "docker", "exit 137")).Events));

        Assert.Equal("exit 137", deregistered.Reason);
    }

    private static CheckReported Report(string checkId, HealthStatus status, string output) => new(Id, "health", checkId, status, output);

    private static MaintenanceRequested Maintenance(bool enabled, string reason) => new(Id, "api", enabled, reason);
}
