using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;

namespace Mesh.Registry.Tests.Common;

/// <summary>
/// A second reader of the log for Registry tests (the real view lives in Projections): follows $all and folds each
/// instance's events with <see cref="InstanceState.Apply"/>, keeping the registered ones, as the projections do.
/// </summary>
internal sealed class FoldingInstanceView : IInstanceView, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly AsyncSignal _changed = new();
    private readonly Task _follow;
    private Published _published = new(0, []);

    public FoldingInstanceView(IEventReader reader) => _follow = Task.Run(() => FollowAsync(reader, _stop.Token));

    public (long Position, IReadOnlyCollection<InstanceState> Instances) Snapshot()
    {
        var p = Volatile.Read(ref _published);
        return (p.Position, p.Instances);
    }

    /// <summary>The registered instance, or null.</summary>
    public InstanceState? Find(string instanceId) =>
        Volatile.Read(ref _published).Instances.FirstOrDefault(i => i.InstanceId == instanceId);

    public async Task WaitForChangeAsync(long position, TimeSpan timeout, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            while (Volatile.Read(ref _published).Position <= position)
            {
                var signal = _changed.WaitTask();
                if (Volatile.Read(ref _published).Position > position) return;
                await signal.WaitAsync(cts.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // the timeout passed: the caller looks again
        }
    }

    private async Task FollowAsync(IEventReader reader, CancellationToken ct)
    {
        var instances = new Dictionary<string, InstanceState>(StringComparer.Ordinal);
        try
        {
            await foreach (var e in reader.SubscribeAllAsync(1, ct))
            {
                if (e.Event is IInstanceEvent ie)
                {
                    var before = instances.TryGetValue(ie.InstanceId, out var known) ? known : InstanceState.Empty(ie.InstanceId);
                    var after = before.Apply(ie, e.Position, e.RecordedAt);
                    if (after.IsRegistered) instances[ie.InstanceId] = after;
                    else instances.Remove(ie.InstanceId);
                }
                Volatile.Write(ref _published, new Published(e.Position, instances.Values.ToArray()));
                _changed.Set();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _follow;
        _stop.Dispose();
    }

    private sealed record Published(long Position, IReadOnlyCollection<InstanceState> Instances);
}
