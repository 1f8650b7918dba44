using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mesh.Tests.Common;
using Xunit;
using static Mesh.Registry.Tests.Instances.Samples;

namespace Mesh.Registry.Tests.Instances;

/// <summary>The registry over a real SQLite store: decide, append with the expected version, retry on conflict.</summary>
public sealed class InstanceRegistryTests : IAsyncDisposable
{
    private readonly TempStore _temp = TempStore.Create("mesh-registry-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteEventStore Store => _temp.Store;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task Handle_NewInstance_AppendsItsRegistration()
    {
        var registry = NewRegistry();

        var result = await registry.HandleAsync(Seen(), Ct);

        Assert.Equal(new ObservationResult(1, 1, null), result);
        var recorded = Assert.Single(await Store.ReadStreamAsync(StreamName.ForInstance(Id), 0, Ct).ToListAsync(Ct));
        Assert.IsType<InstanceRegistered>(recorded.Event);
    }

    [Fact]
    public async Task Handle_SameObservationAgain_AppendsNothing()
    {
        var registry = NewRegistry();
        await registry.HandleAsync(Seen(), Ct);

        var again = await registry.HandleAsync(Seen(), Ct);

        Assert.Equal(new ObservationResult(0, 0, null), again);
        Assert.Equal(1, await Store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Handle_Invalid_AppendsOneRejectionWithTheRawPayloadAndReturnsTheError()
    {
        var registry = NewRegistry();
        var invalid = Seen() with { Port = 70_000, Metadata = new EventMetadata(RawPayload: "{\"Port\":70000}", CorrelationId: "req-1") };

        var first = await registry.HandleAsync(invalid, Ct);
        var second = await registry.HandleAsync(invalid, Ct);

        Assert.True(first.IsRejected);
        Assert.Contains("port 70000", first.Error, StringComparison.Ordinal);
        Assert.Equal((1L, 1), (first.Position, first.EventCount));
        Assert.Equal(new ObservationResult(0, 0, first.Error), second);
        var recorded = Assert.Single(await Store.ReadAllAsync(1, int.MaxValue, Ct).ToListAsync(Ct));
        var rejected = Assert.IsType<ObservationRejected>(recorded.Event);
        Assert.Equal("{\"Port\":70000}", rejected.RawPayload);
        Assert.Equal("req-1", recorded.Metadata.CorrelationId);
    }

    [Fact]
    public async Task Handle_BadInstanceId_ThrowsAndAppendsNothing()
    {
        var registry = NewRegistry();

        await Assert.ThrowsAsync<ArgumentException>(() => registry.HandleAsync(Seen("has space"), Ct));

        Assert.Equal(0, await Store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task Handle_ManyConcurrentObservationsOnOneInstance_AllLand()
    {
        const int checks = 16, rounds = 4;
        var specs = Enumerable.Range(0, checks).Select(c => HttpCheck with { CheckId = $"c{c}" }).ToArray();
        var registry = NewRegistry();
        await registry.HandleAsync(Seen() with { Checks = [.. specs] }, Ct);

        // Each task owns one check and walks it through several statuses; all of them write to the same stream.
        var statuses = new[] { HealthStatus.Passing, HealthStatus.Warning, HealthStatus.Critical, HealthStatus.Passing };
        var tasks = specs.Select(spec => Task.Run(async () =>
        {
            for (var r = 0; r < rounds; r++)
            {
                var result = await registry.HandleAsync(new CheckReported(Id, "health", spec.CheckId, statuses[r], $"round {r}"), Ct);
                Assert.Equal(1, result.EventCount);
            }
        }, Ct)).Append(Task.Run(async () =>
        {
            for (var r = 0; r < rounds; r++)
                await registry.HandleAsync(new MaintenanceRequested(Id, "api", r % 2 == 0, r % 2 == 0 ? "deploy" : ""), Ct);
        }, Ct));
        await Task.WhenAll(tasks);

        var state = await registry.LoadAsync(Id, Ct);
        Assert.All(state.Checks.Values, c => Assert.Equal((HealthStatus.Passing, "round 3"), (c.Status, c.Output)));
        Assert.False(state.InMaintenance);
        Assert.Equal(1 + checks * rounds + rounds, state.Version + 1);
        Assert.Equal(await Store.ReadHeadPositionAsync(Ct), state.ModifyPosition);
    }

    [Fact]
    public async Task Handle_TwoRegistriesWithStaleCaches_LoseNoUpdate()
    {
        var first = NewRegistry();
        var second = NewRegistry();
        await first.HandleAsync(Seen(), Ct);
        await first.HandleAsync(Report("web-http", HealthStatus.Passing), Ct); // the first registry now believes "passing"

        await second.HandleAsync(Report("web-http", HealthStatus.Critical), Ct);
        var result = await first.HandleAsync(Report("web-http", HealthStatus.Passing), Ct);

        // The log says critical since the second registry wrote; the first must record the pass, not shrug it off.
        Assert.Equal(1, result.EventCount);
        Assert.Equal(HealthStatus.Passing, (await NewRegistry().LoadAsync(Id, Ct)).Checks["web-http"].Status);
    }

    [Fact]
    public async Task Handle_TwoRegistriesTakingTurnsAtRandom_EndWhereOneRegistryWould()
    {
        var registries = new[] { NewRegistry(), NewRegistry() };
        var rng = new Random(7);
        var ids = Enumerable.Range(0, 5).Select(i => $"docker:{i}").ToArray();
        var model = ids.ToDictionary(id => id, InstanceState.Empty);

        for (var step = 0; step < 400; step++)
        {
            var id = ids[rng.Next(ids.Length)];
            Observation observation = rng.Next(6) switch
            {
                0 => Seen(id) with { Port = 8080 + rng.Next(2) },
                1 => new InstanceGone(id, "docker", "die"),
                2 => new MaintenanceRequested(id, "api", rng.Next(2) == 0, "deploy"),
                _ => new CheckReported(id, "health", rng.Next(2) == 0 ? "web-http" : "web-tcp", (HealthStatus)rng.Next(3), "out"),
            };
            var expected = InstanceDecider.Decide(model[id], observation);
            model[id] = model[id].After(observation);

            var result = await registries[rng.Next(2)].HandleAsync(observation, Ct);

            Assert.Equal(expected.Events.Length, result.EventCount);
            Assert.Equal(expected.Error, result.Error);
        }

        foreach (var id in ids)
        {
            var stored = await NewRegistry().LoadAsync(id, Ct);
            Assert.Equal(model[id].Version, stored.Version);
            Assert.Equal(model[id].IsRegistered, stored.IsRegistered);
            Assert.Equal(model[id].MaintenanceReason, stored.MaintenanceReason);
            Assert.Equal(model[id].Checks.Values.Select(c => (c.Spec, c.Status, c.Output)), stored.Checks.Values.Select(c => (c.Spec, c.Status, c.Output)));
        }
    }

    [Fact]
    public async Task Handle_TwoRegistriesConcurrentlyOnOneInstance_AllLand()
    {
        const int checks = 8, rounds = 5;
        var specs = Enumerable.Range(0, checks).Select(c => HttpCheck with { CheckId = $"c{c}" }).ToArray();
        var registries = new[] { NewRegistry(), NewRegistry() };
        await registries[0].HandleAsync(Seen() with { Checks = [.. specs] }, Ct);
        await registries[1].LoadAsync(Id, Ct);

        var tasks = specs.Select((spec, i) => Task.Run(async () =>
        {
            for (var r = 0; r < rounds; r++)
                await registries[(i + r) % 2].HandleAsync(new CheckReported(Id, "health", spec.CheckId, (HealthStatus)(r % 3), $"{spec.CheckId} round {r}"), Ct);
        }, Ct));
        await Task.WhenAll(tasks);

        var state = await NewRegistry().LoadAsync(Id, Ct);
        Assert.All(state.Checks.Values, c => Assert.Equal(((HealthStatus)((rounds - 1) % 3), $"{c.Spec.CheckId} round {rounds - 1}"), (c.Status, c.Output)));
        Assert.Equal(1 + checks * rounds, state.Version + 1);
    }

    private InstanceRegistry NewRegistry() => new(Store, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);

    private static CheckReported Report(string checkId, HealthStatus status) => new(Id, "health", checkId, status, status.ToString());
}
