using Mesh.Projections.Feed;
using Mesh.Projections.State;
using Xunit;

namespace Mesh.Projections.Tests.Feed;

public sealed class RegistryFeedTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Current_BeforeAnyPublish_IsTheEmptyState()
    {
        Assert.Same(RegistryState.Empty, new RegistryFeed().Current);
    }

    [Fact]
    public void Publish_MakesTheStateCurrent()
    {
        var feed = new RegistryFeed();
        var state = At(3);

        feed.Publish(state);

        Assert.Same(state, feed.Current);
    }

    [Fact]
    public async Task Follow_AppliesAChangedRegistry_AndOnlyMovesToTheNextPositionOfTheSameOne()
    {
        var feed = new RegistryFeed();
        var applied = new List<long>();
        var moved = new List<long>();
        long at = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var follow = feed.FollowAsync(() => Volatile.Read(ref at), s => { lock (applied) applied.Add(s.Position); Volatile.Write(ref at, s.Position); },
            p => { lock (moved) moved.Add(p); Volatile.Write(ref at, p); }, (_, ex) => throw ex, stop.Token);
        var changed = At(1);

        feed.Publish(changed);
        await Mesh.Tests.Common.Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref at) == 1), "position 1", Long, Ct);
        feed.Publish(changed with { Position = 2 }); // the same maps: an event no view reads
        await Mesh.Tests.Common.Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref at) == 2), "position 2", Long, Ct);
        feed.Publish(changed with { Position = 3, Environments = changed.Environments.Add("feature-x", "integration") }); // a change
        await Mesh.Tests.Common.Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref at) == 3), "position 3", Long, Ct);
        await stop.CancelAsync();
        await follow;

        Assert.Equal([1L, 3L], applied);
        Assert.Equal([2L], moved);
    }

    [Fact]
    public async Task WaitForNewer_AlreadyNewer_ReturnsAtOnce()
    {
        var feed = new RegistryFeed();
        feed.Publish(At(5));

        var wait = feed.WaitForNewerAsync(4, Long, Ct);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(5, (await wait).Position);
    }

    [Fact]
    public async Task WaitForNewer_WokenByAPublish_ReturnsThatState()
    {
        var feed = new RegistryFeed();
        feed.Publish(At(5));

        var wait = feed.WaitForNewerAsync(5, Long, Ct);
        Assert.False(wait.IsCompleted);
        feed.Publish(At(6));

        Assert.Equal(6, (await wait.WaitAsync(Long, Ct)).Position);
    }

    [Fact]
    public async Task WaitForNewer_PublishNotNewerThanAsked_KeepsWaiting()
    {
        var feed = new RegistryFeed();
        feed.Publish(At(5));

        var wait = feed.WaitForNewerAsync(6, Long, Ct);
        feed.Publish(At(6));
        await Task.Yield();
        Assert.False(wait.IsCompleted);
        feed.Publish(At(7));

        Assert.Equal(7, (await wait.WaitAsync(Long, Ct)).Position);
    }

    [Fact]
    public async Task WaitForNewer_NothingNewBeforeTheTimeout_ReturnsTheCurrentState()
    {
        var feed = new RegistryFeed();
        var current = At(5);
        feed.Publish(current);

        var result = await feed.WaitForNewerAsync(5, TimeSpan.FromMilliseconds(20), Ct).WaitAsync(Long, Ct);

        Assert.Same(current, result);
    }

    [Fact]
    public async Task WaitForNewer_Cancelled_Throws()
    {
        var feed = new RegistryFeed();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var wait = feed.WaitForNewerAsync(0, Long, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Long, Ct));
    }

    [Fact]
    public async Task WaitForNewer_ManyWaiters_AreAllWokenByOnePublish()
    {
        var feed = new RegistryFeed();
        feed.Publish(At(1));

        // Each call parks before it returns, so all of them are waiting when the publish comes.
        var waiters = Enumerable.Range(0, 500).Select(_ => feed.WaitForNewerAsync(1, Long, Ct)).ToArray();
        Assert.DoesNotContain(waiters, w => w.IsCompleted);
        feed.Publish(At(2));
        var states = await Task.WhenAll(waiters).WaitAsync(Long, Ct);

        Assert.All(states, s => Assert.Equal(2, s.Position));
    }

    [Fact]
    public async Task WaitForNewer_WhilePublishingConcurrently_NeverMissesAWakeUp()
    {
        var feed = new RegistryFeed();
        const int publishes = 2_000;

        var publisher = Task.Run(() =>
        {
            for (var p = 1; p <= publishes; p++) feed.Publish(At(p));
        }, Ct);
        var followers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            long seen = 0;
            while (seen < publishes) seen = (await feed.WaitForNewerAsync(seen, Long, Ct)).Position;
            return seen;
        }, Ct)).ToArray();
        await publisher;

        Assert.All(await Task.WhenAll(followers).WaitAsync(Long, Ct), p => Assert.Equal(publishes, p));
    }

    private static RegistryState At(long position) => RegistryState.Empty with { Position = position };
}
