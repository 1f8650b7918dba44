using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Mesh.Registry.Events;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Mesh.Registry.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mesh.Tests.Common;
using Xunit;

namespace Mesh.Registry.Tests.Health;

/// <summary>
/// A real store in a temp dir, the registry, a view folded from the log, and health checkers started over them;
/// a "restart" is a new checker (with its own registry) over the same store.
/// </summary>
internal sealed class HealthTestBed : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    private readonly string _dir;
    private readonly List<HealthChecker> _checkers = [];

    public HealthTestBed(TimeProvider? clock = null)
    {
        Clock = clock ?? TimeProvider.System;
        _dir = Path.Combine(Path.GetTempPath(), "mesh-health-" + Guid.NewGuid().ToString("N"));
        Store = new SqliteEventStore(
            Options.Create(new SqliteStoreOptions { Path = Path.Combine(_dir, "mesh.db") }),
            NullLogger<SqliteEventStore>.Instance) { Clock = Clock };
        Registry = NewRegistry();
        View = new FoldingInstanceView(Store);
        Heartbeats = new TtlHeartbeats(Clock);
    }

    public TimeProvider Clock { get; }
    public SqliteEventStore Store { get; }

    /// <summary>The registry the test itself sends observations to (as the API would).</summary>
    public InstanceRegistry Registry { get; }

    public FoldingInstanceView View { get; }
    /// <summary>The heartbeats the next checker gets (in memory only, like the real ones).</summary>
    public TtlHeartbeats Heartbeats { get; private set; }

    /// <summary>What a restart of the process does to the heartbeats.</summary>
    public void LoseHeartbeats() => Heartbeats = new TtlHeartbeats(Clock);

    public static HealthCheckOptions FastOptions() => new()
    {
        MinInterval = TimeSpan.Zero,
        ReaperInterval = TimeSpan.FromMilliseconds(100),
        DefaultTimeout = TimeSpan.FromSeconds(2),
        MaxConcurrentProbes = 8,
    };

    public async Task<HealthChecker> StartCheckerAsync(HealthCheckOptions? options = null)
    {
        var checker = new HealthChecker(View, NewRegistry(), Store, Heartbeats, Options.Create(options ?? FastOptions()), Clock,
            new TestOutputLogger<HealthChecker>());
        _checkers.Add(checker);
        await checker.StartAsync(TestContext.Current.CancellationToken);
        return checker;
    }

    public async Task StopCheckerAsync(HealthChecker checker)
    {
        await checker.StopAsync(TestContext.Current.CancellationToken);
        checker.Dispose();
        _checkers.Remove(checker);
    }

    public async Task RegisterAsync(string instanceId, params CheckSpec[] checks)
    {
        var seen = new InstanceSeen(instanceId, "api", "web", DnsLabel.DefaultEnvironment, "127.0.0.1", 80, [],
            ImmutableSortedDictionary<string, string>.Empty, [], null, "node-1", [.. checks]);
        var result = await Registry.HandleAsync(seen, TestContext.Current.CancellationToken);
        Assert.Null(result.Error);
        // The checker reads the view: make sure the registration is in it before going on.
        await UntilAsync(() => View.Find(instanceId) is not null, $"{instanceId} in the view");
    }

    public async Task<IReadOnlyList<IInstanceEvent>> EventsAsync(string instanceId)
    {
        var events = new List<IInstanceEvent>();
        await foreach (var e in Store.ReadStreamAsync(StreamName.ForInstance(instanceId), 0, TestContext.Current.CancellationToken))
            events.Add((IInstanceEvent)e.Event);
        return events;
    }

    public async Task<IReadOnlyList<InstanceHealthChanged>> HealthChangesAsync(string instanceId, string checkId) =>
        (await EventsAsync(instanceId)).OfType<InstanceHealthChanged>().Where(h => h.CheckId == checkId).ToArray();

    /// <summary>Waits until the check's health changes have reached <paramref name="count"/>; returns the last.</summary>
    public async Task<InstanceHealthChanged> UntilHealthChangeAsync(string instanceId, string checkId, int count)
    {
        IReadOnlyList<InstanceHealthChanged> changes = [];
        await UntilAsync(async () => (changes = await HealthChangesAsync(instanceId, checkId)).Count >= count,
            $"{count} health changes of {instanceId}/{checkId}");
        return changes[count - 1];
    }

    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>Polls a condition until it holds; fails naming it after a generous limit.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what) =>
        Poll.UntilAsync(condition, what, WaitLimit, TestContext.Current.CancellationToken);

    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static CheckSpec Http(string checkId, string url, HealthStatus initial = HealthStatus.Critical, TimeSpan? timeout = null,
        bool tlsSkipVerify = false) =>
        new(checkId, checkId, CheckKind.Http, url, TimeSpan.FromMilliseconds(100), timeout ?? TimeSpan.FromSeconds(2), null, initial,
            TlsSkipVerify: tlsSkipVerify);

    public static CheckSpec Tcp(string checkId, string target, TimeSpan? deregisterAfter = null) =>
        new(checkId, checkId, CheckKind.Tcp, target, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), deregisterAfter,
            HealthStatus.Critical);

    public static CheckSpec Ttl(string checkId, TimeSpan ttl, HealthStatus initial = HealthStatus.Critical) =>
        new(checkId, checkId, CheckKind.Ttl, "", ttl, TimeSpan.Zero, null, initial);

    private InstanceRegistry NewRegistry() => new(Store, Clock, new TestOutputLogger<InstanceRegistry>());

    public async ValueTask DisposeAsync()
    {
        foreach (var checker in _checkers.ToArray())
        {
            await checker.StopAsync(CancellationToken.None);
            checker.Dispose();
        }
        await View.DisposeAsync();
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp dir left behind is harmless
        }
    }
}
