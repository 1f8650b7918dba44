using Mesh.Registry.Instances;
using Mesh.Registry.Sources.Marathon;
using Mesh.Registry.Store.Sqlite;
using Mesh.Registry.Tests.Common;
using Mesh.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

/// <summary>
/// The Marathon source against Marathon stand-ins, a real store in a temp dir, the registry and a view folded from
/// the log. Tests wait on what the view or the source's status shows.
/// </summary>
internal sealed class MarathonSourceTestBed : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private readonly TempStore _temp = TempStore.Create("mesh-marathon-");
    private MarathonSource? _source;

    public MarathonSourceTestBed()
    {
        Registry = new InstanceRegistry(Store, TimeProvider.System, new TestOutputLogger<InstanceRegistry>());
        View = new FoldingInstanceView(Store);
    }

    public SqliteEventStore Store => _temp.Store;

    public InstanceRegistry Registry { get; }

    public FoldingInstanceView View { get; }

    public MarathonSourceStatus Status { get; private set; } = new([], "marathon");

    public Task StartAsync(params string[] urls) => StartAsync(true, urls);

    public Task StartAsync(bool untilReconciled, params string[] urls) => StartAsync(untilReconciled, null, urls);

    public async Task StartAsync(bool untilReconciled, Action<MarathonSourceOptions>? configure, params string[] urls)
    {
        var options = new MarathonSourceOptions { Urls = [.. urls], MaxBackoff = TimeSpan.FromMilliseconds(200) };
        configure?.Invoke(options);
        Assert.Empty(options.Validate());
        Status = new MarathonSourceStatus(options.Urls, options.Node);
        _source = new MarathonSource(Options.Create(options), Registry, View, Store, Status, TimeProvider.System,
            new TestOutputLogger<MarathonSource>());
        await _source.StartAsync(TestContext.Current.CancellationToken);
        if (untilReconciled) await UntilAsync(() => Status.Current.Reconciles > 0, "the first reconcile");
    }

    public InstanceState? Find(string taskId) => View.Find(MarathonMapper.InstanceId(taskId));

    public string[] RegisteredTasks() =>
        [.. View.Snapshot().Instances.Where(i => i.Registration?.Source == MarathonMapper.Source)
            .Select(i => i.InstanceId["marathon:".Length..]).Order(StringComparer.Ordinal)];

    public Task UntilAsync(Func<bool> condition, string what) =>
        Poll.UntilAsync(() => Task.FromResult(condition()), what, WaitLimit, TestContext.Current.CancellationToken,
            () => $" Source: {Status.Current} Registered: {string.Join(',', RegisteredTasks())}");

    public async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.StopAsync(CancellationToken.None);
            _source.Dispose();
        }
        await View.DisposeAsync();
        await _temp.DisposeAsync();
    }
}
