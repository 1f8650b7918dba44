using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mesh.Tests.Common;
using Xunit;

namespace Mesh.Registry.Tests.Instances;

/// <summary>DefineEnvironmentAsync over a real SQLite store: one EnvironmentDefined per change of definition.</summary>
public sealed class InstanceRegistryEnvironmentTests : IAsyncDisposable
{
    private readonly TempStore _temp = TempStore.Create("mesh-registry-env-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteEventStore Store => _temp.Store;

    public ValueTask DisposeAsync() => _temp.DisposeAsync();

    [Fact]
    public async Task DefineEnvironment_New_AppendsEnvironmentDefinedToItsStream()
    {
        var result = await NewRegistry().DefineEnvironmentAsync("feature-x", "staging", new EventMetadata(CorrelationId: "req-1"), Ct);

        Assert.Equal(new ObservationResult(1, 1, null), result);
        var recorded = Assert.Single(await Stream("feature-x"));
        Assert.Equal(new EnvironmentDefined("feature-x", "staging"), recorded.Event);
        Assert.Equal("req-1", recorded.Metadata.CorrelationId);
    }

    [Fact]
    public async Task DefineEnvironment_SameDefinitionAgain_AppendsNothing()
    {
        var registry = NewRegistry();
        await registry.DefineEnvironmentAsync("feature-x", "staging", EventMetadata.Empty, Ct);

        var again = await registry.DefineEnvironmentAsync("feature-x", "staging", EventMetadata.Empty, Ct);

        Assert.Equal(new ObservationResult(0, 0, null), again);
        Assert.Equal(1, await Store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task DefineEnvironment_OtherFallback_AppendsTheNewDefinition()
    {
        var registry = NewRegistry();
        await registry.DefineEnvironmentAsync("feature-x", "staging", EventMetadata.Empty, Ct);

        var changed = await registry.DefineEnvironmentAsync("feature-x", "integration", EventMetadata.Empty, Ct);

        Assert.Equal(new ObservationResult(2, 1, null), changed);
        Assert.Equal(
            [new EnvironmentDefined("feature-x", "staging"), new EnvironmentDefined("feature-x", "integration")],
            (await Stream("feature-x")).Select(e => e.Event));
    }

    [Fact]
    public async Task DefineEnvironment_Invalid_ReturnsEveryProblemAndAppendsNothing()
    {
        var result = await NewRegistry().DefineEnvironmentAsync("Bad_Name", "also bad", EventMetadata.Empty, Ct);

        Assert.True(result.IsRejected);
        Assert.Contains("'Bad_Name'", result.Error, StringComparison.Ordinal);
        Assert.Contains("'also bad'", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await Store.ReadHeadPositionAsync(Ct));
    }

    [Fact]
    public async Task DefineEnvironment_SameDefinitionFromManyWritersAtOnce_AppendsItOnce()
    {
        // Separate registries share nothing but the store, as separate processes would.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => NewRegistry().DefineEnvironmentAsync("feature-x", "staging", EventMetadata.Empty, Ct), Ct)));

        Assert.Single(results, r => r.Position > 0);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Single(await Stream("feature-x"));
    }

    private Task<List<RecordedEvent>> Stream(string env) => Store.ReadStreamAsync(StreamName.ForEnvironment(env), 0, Ct).ToListAsync(Ct).AsTask();

    private InstanceRegistry NewRegistry() => new(Store, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
}
