using Mesh.Host.Observability;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Host.Tests.Observability;

public sealed class MeteredEventStoreTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-metered-").FullName;
    private SqliteEventStore _inner = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _inner = new SqliteEventStore(
            Options.Create(new SqliteStoreOptions { Path = Path.Combine(_dir, "mesh.db") }),
            NullLogger<SqliteEventStore>.Instance);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task AppendAsync_Succeeds_CountsEachEventByTypeAndReturnsTheInnerResult()
    {
        var metrics = new MeshMetrics();
        var store = new MeteredEventStore(_inner, metrics);
        var stream = StreamName.ForInstance("api:web-1");

        var result = await store.AppendAsync(stream, ExpectedVersion.NoStream,
            [new EventData(new InstanceHealthChanged("api:web-1", "c", HealthStatus.Critical, "")),
             new EventData(new InstanceHealthChanged("api:web-1", "c", HealthStatus.Passing, "")),
             new EventData(new InstanceDeregistered("api:web-1", "api"))], Ct);

        Assert.Equal(new AppendResult(2, 3), result);
        Assert.Equal(3, await store.ReadHeadPositionAsync(Ct));
        Assert.Equal(2, metrics.EventsAppended.WithLabels("InstanceHealthChanged").Value);
        Assert.Equal(1, metrics.EventsAppended.WithLabels("InstanceDeregistered").Value);
        Assert.Equal(0, metrics.AppendConflicts.Value);
    }

    [Fact]
    public async Task AppendAsync_WrongExpectedVersion_CountsAConflictAndNoEvents()
    {
        var metrics = new MeshMetrics();
        var store = new MeteredEventStore(_inner, metrics);
        var stream = StreamName.ForInstance("api:web-1");
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [new EventData(new InstanceDeregistered("api:web-1", "api"))], Ct);

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            store.AppendAsync(stream, ExpectedVersion.NoStream, [new EventData(new InstanceDeregistered("api:web-1", "api"))], Ct));

        Assert.Equal(1, metrics.AppendConflicts.Value);
        Assert.Equal(1, metrics.EventsAppended.WithLabels("InstanceDeregistered").Value);
    }
}
