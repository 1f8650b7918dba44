using Mesh.Registry.Instances;

namespace Mesh.Projections.Feed;

/// <summary>The feed, seen from the registry side as <see cref="IInstanceView"/>.</summary>
internal sealed class RegistryInstanceView(RegistryFeed feed) : IInstanceView
{
    public (long Position, IReadOnlyCollection<InstanceState> Instances) Snapshot()
    {
        var state = feed.Current;
        return (state.Position, state.Instances.Values.ToArray());
    }

    public Task WaitForChangeAsync(long position, TimeSpan timeout, CancellationToken ct = default) =>
        feed.WaitForNewerAsync(position, timeout, ct);
}
