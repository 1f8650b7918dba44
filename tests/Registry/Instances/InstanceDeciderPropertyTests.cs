using System.Collections.Immutable;
using CsCheck;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;
using static Mesh.Registry.Tests.Instances.Samples;

namespace Mesh.Registry.Tests.Instances;

public sealed class InstanceDeciderPropertyTests
{
    // A small world so that sequences revisit the same states often: a few registrations (valid and not),
    // reports for the two declared checks and one undeclared, maintenance with two reasons, departures.
    private static readonly Gen<Observation> AnyObservation = Gen.OneOf<Observation>(
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 1], Gen.Bool, (tags, port, slowCheck) => (Observation)(Seen() with
        {
            Tags = tags == 0 ? [] : [$"v{tags}"],
            Port = 8080 + port,
            Checks = slowCheck ? [HttpCheck with { Interval = TimeSpan.FromMinutes(1) }, TcpCheck] : [HttpCheck, TcpCheck],
        })),
        Gen.OneOf("Web_Frontend", "-web", "").Select(service => (Observation)(Seen() with { Service = service })),
        Gen.Int[65_536, 65_537].Select(port => (Observation)(Seen() with { Port = port, Address = "" })),
        Gen.OneOf("die", "expired").Select(reason => (Observation)new InstanceGone(Id, "docker", reason)),
        Gen.Select(Gen.OneOf("web-http", "web-tcp", "db-ping"), Gen.Int[0, 2], Gen.OneOf("200 OK", "refused"),
            (check, status, output) => (Observation)new CheckReported(Id, "health", check, (HealthStatus)status, output)),
        Gen.Select(Gen.Bool, Gen.OneOf("deploy", "kernel"), (on, reason) => (Observation)new MaintenanceRequested(Id, "api", on, on ? reason : "")));

    [Fact]
    public void Decide_SameObservationTwice_AppendsNothingTheSecondTimeAndGivesTheSameAnswer()
    {
        AnyObservation.Array[1, 40].Sample(observations =>
        {
            var state = Empty();
            foreach (var observation in observations)
            {
                var first = InstanceDecider.Decide(state, observation);
                state = Fold(state, first);
                var second = InstanceDecider.Decide(state, Resent(observation));

                Assert.Empty(second.Events);
                Assert.Equal(first.Error, second.Error);
            }
        }, iter: 2_000);
    }

    [Fact]
    public void Decide_AnySequence_VersionCountsTheEventsDecided()
    {
        AnyObservation.Array[1, 40].Sample(observations =>
        {
            var state = Empty();
            var events = 0;
            foreach (var observation in observations)
            {
                var decision = InstanceDecider.Decide(state, observation);
                events += decision.Events.Length;
                state = Fold(state, decision);
            }
            Assert.Equal(events - 1, state.Version);
        }, iter: 500);
    }

    /// <summary>The observation as it arrives when sent again: equal, but built afresh (no shared collections).</summary>
    private static Observation Resent(Observation observation) => observation switch
    {
        InstanceSeen seen => seen with
        {
            Tags = [.. seen.Tags],
            Meta = seen.Meta.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Routes = seen.Routes.IsDefault ? default : [.. seen.Routes.Select(r => r with { })],
            Checks = seen.Checks.IsDefault ? default : [.. seen.Checks.Select(c => c with { })],
        },
        _ => observation with { },
    };

    private static InstanceState Fold(InstanceState state, Decision decision) =>
        decision.Events.Aggregate(state, (s, e) => s.Apply(e, s.ModifyPosition + 1, T0.AddSeconds(s.ModifyPosition + 1)));
}
