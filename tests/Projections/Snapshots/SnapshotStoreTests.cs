using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Projections.Tests.State;
using Microsoft.Extensions.Options;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;

namespace Mesh.Projections.Tests.Snapshots;

public sealed class SnapshotStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-snapshots-").FullName;
    private readonly SnapshotStore _snapshots;

    public SnapshotStoreTests() => _snapshots = new SnapshotStore(Options.Create(new SnapshotOptions { Directory = Path.Combine(_dir, "snapshots") }));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SaveThenLoad_GivesAnEqualState()
    {
        var state = RegistryStateJsonTests.Populated();

        await _snapshots.SaveAsync(state, Ct);
        var loaded = await _snapshots.LoadAsync(Ct);

        Assert.NotNull(loaded);
        Assert.Equal(Json(state), Json(loaded));
    }

    [Fact]
    public async Task Save_Twice_KeepsTheLatest()
    {
        var first = RegistryStateJsonTests.Populated();
        var second = first with { Position = first.Position + 10 };

        await _snapshots.SaveAsync(first, Ct);
        await _snapshots.SaveAsync(second, Ct);

        Assert.Equal(second.Position, (await _snapshots.LoadAsync(Ct))!.Position);
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "snapshots")));
    }

    [Fact]
    public async Task Load_NoSnapshot_IsNull()
    {
        Assert.Null(await _snapshots.LoadAsync(Ct));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{"format":999,"state":{"position":5}}""")]
    [InlineData("")]
    public async Task Load_UnreadableOrForeignSnapshot_IsNull(string content)
    {
        await _snapshots.SaveAsync(RegistryState.Empty, Ct);
        var file = Directory.GetFiles(Path.Combine(_dir, "snapshots")).Single();
        await File.WriteAllTextAsync(file, content, Ct);

        Assert.Null(await _snapshots.LoadAsync(Ct));
    }

    [Fact]
    public async Task Delete_RemovesTheSnapshot()
    {
        await _snapshots.SaveAsync(RegistryStateJsonTests.Populated(), Ct);

        _snapshots.Delete();

        Assert.Null(await _snapshots.LoadAsync(Ct));
    }
}
