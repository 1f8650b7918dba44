using System.Collections.Immutable;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Sources.Docker;
using Mesh.Registry.Store.Sqlite;
using Mesh.Registry.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mesh.Tests.Common;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Docker;

/// <summary>What the source does with a container's instances, over a real store and registry (no engine needed).</summary>
public sealed class ContainerSyncTests : IAsyncDisposable
{
    private const string Node = "sync-node";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mesh-sync-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteEventStore _store;
    private readonly InstanceRegistry _registry;
    private readonly FoldingInstanceView _view;

    public ContainerSyncTests()
    {
        _store = new SqliteEventStore(Options.Create(new SqliteStoreOptions { Path = Path.Combine(_dir, "mesh.db") }),
            NullLogger<SqliteEventStore>.Instance);
        _registry = new InstanceRegistry(_store, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
        _view = new FoldingInstanceView(_store);
    }

    [Fact]
    public async Task GoneAsync_DeregistersEveryPortOfTheContainerOnThisNode_AndNothingElse()
    {
        string[] ports = ["docker:abc:80", "docker:abc:81"];
        foreach (var id in ports) await SeeAsync(id, Node);
        await SeeAsync("docker:abc:82", "other-node");
        await SeeAsync("docker:abcd", Node);
        var sync = new ContainerSync(_registry, _view, new DockerHost(Node, "127.0.0.1", null), TimeProvider.System, NullLogger.Instance);

        var deregistered = await sync.GoneAsync("abc", "exit 1", EventMetadata.Empty, TestContext.Current.CancellationToken);

        Assert.Equal(2, deregistered);
        await UntilAsync(() => ports.All(id => _view.Find(id) is null));
        Assert.NotNull(_view.Find("docker:abc:82"));
        Assert.NotNull(_view.Find("docker:abcd"));
        foreach (var id in ports)
            Assert.Equal("exit 1", Assert.IsType<InstanceDeregistered>(await LastEventAsync(id)).Reason);
    }

    [Theory]
    [InlineData("docker:3f2a", "3f2a")]
    [InlineData("docker:3f2a:8080", "3f2a")]
    public void ContainerIdOf_InstanceId_IsTheContainer(string instanceId, string containerId) =>
        Assert.Equal(containerId, ContainerSync.ContainerIdOf(instanceId));

    private async Task SeeAsync(string id, string node)
    {
        var result = await _registry.HandleAsync(new InstanceSeen(id, "docker", "web", DnsLabel.DefaultEnvironment, "127.0.0.1", 80, [],
            ImmutableSortedDictionary<string, string>.Empty, [], null, node, []), TestContext.Current.CancellationToken);
        Assert.Null(result.Error);
        await UntilAsync(() => _view.Find(id) is not null);
    }

    private async Task<IInstanceEvent> LastEventAsync(string id)
    {
        IInstanceEvent? last = null;
        await foreach (var e in _store.ReadStreamAsync(Mesh.Registry.Store.StreamName.ForInstance(id), 0, TestContext.Current.CancellationToken))
            last = (IInstanceEvent)e.Event;
        return last!;
    }

    private static Task UntilAsync(Func<bool> condition) =>
        Poll.UntilAsync(() => Task.FromResult(condition()), "the condition", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _view.DisposeAsync();
        await _store.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
