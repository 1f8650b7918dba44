using System.Collections.Immutable;
using System.IO.Compression;
using System.Text.Json;
using Mesh.Projections.Snapshots;
using Mesh.Projections.State;
using Mesh.Projections.Tests.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;
using static Mesh.Projections.Tests.Fixtures;
using static Mesh.Projections.Tests.History.HistoryFixtures;

namespace Mesh.Projections.Tests.Snapshots;

public sealed class SnapshotCodecTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5, 6];

    [Fact]
    public void RoundTrip_KeepsEveryField()
    {
        var state = Everything();

        var back = SnapshotCodec.Decode(SnapshotCodec.Encode(state));

        Assert.NotNull(back);
        Assert.Equal(Json(state), Json(back));
        Assert.Equal(state.Instances["docker:a"].Registration, back.Instances["docker:a"].Registration! with
        {
            Tags = state.Instances["docker:a"].Registration!.Tags,
            Meta = state.Instances["docker:a"].Registration!.Meta,
            Routes = state.Instances["docker:a"].Registration!.Routes,
            Checks = state.Instances["docker:a"].Registration!.Checks,
        });
        Assert.Equal(state.Instances["docker:a"].Checks.Values, back.Instances["docker:a"].Checks.Values);
        Assert.Equal(state.Instances["docker:a"].Checks["orphan"].Since.Offset, back.Instances["docker:a"].Checks["orphan"].Since.Offset);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RoundTrip_EveryStateOfARandomLog(int seed)
    {
        foreach (var state in States(RandomLog(seed, 200)))
            Assert.Equal(Json(state), Json(SnapshotCodec.Decode(SnapshotCodec.Encode(state))!));
    }

    [Fact]
    public void RoundTrip_EmptyState()
    {
        Assert.Equal(Json(RegistryState.Empty), Json(SnapshotCodec.Decode(SnapshotCodec.Encode(RegistryState.Empty))!));
    }

    [Fact]
    public void Decode_TheFirstFormat_GzippedJson_StillLoads()
    {
        var state = RegistryStateJsonTests.Populated();
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            JsonSerializer.Serialize(gzip, new { format = 1, state }, EventSerializer.Options);

        Assert.Equal(Json(state), Json(SnapshotCodec.Decode(buffer.ToArray())!));
    }

    [Fact]
    public void Decode_AnotherFormatVersion_IsNull()
    {
        var bytes = SnapshotCodec.Encode(RegistryStateJsonTests.Populated());
        bytes[4] = 99;

        Assert.Null(SnapshotCodec.Decode(bytes));
    }

    [Fact]
    public void Decode_EveryTruncation_IsNullOrTheWholeState_NeverAnException()
    {
        var state = Everything();
        var bytes = SnapshotCodec.Encode(state);

        // Cutting only the deflate stream's last bytes can leave the whole payload readable; a part of it never loads.
        for (var length = 0; length < bytes.Length; length++)
            if (SnapshotCodec.Decode(bytes[..length]) is { } decoded) Assert.Equal(Json(state), Json(decoded));
        Assert.Null(SnapshotCodec.Decode(bytes[..(bytes.Length / 2)]));
    }

    [Fact]
    public void Decode_BytesAfterTheState_IsNull()
    {
        var payload = Inflate(SnapshotCodec.Encode(Everything()));

        Assert.Null(SnapshotCodec.Decode([.. "MSNP"u8, 2, .. Deflate([.. payload, 0])]));
    }

    [Fact]
    public void Decode_CorruptedPayload_IsNullOrAState_NeverAnException()
    {
        var rng = new Random(7);
        var bytes = SnapshotCodec.Encode(Everything());
        // The payload uncompressed, mutated, compressed again: what a reader of a damaged snapshot meets past the deflate layer.
        var payload = Inflate(bytes);

        for (var n = 0; n < 2000; n++)
        {
            var mutated = (byte[])payload.Clone();
            for (var k = rng.Next(1, 4); k > 0; k--) mutated[rng.Next(mutated.Length)] = (byte)rng.Next(256);
            _ = SnapshotCodec.Decode([.. bytes[..5], .. Deflate(mutated)]);
        }
    }

    /// <summary>
    /// The codec writes these types field by field. A field added to one of them must be added to
    /// <see cref="SnapshotWriter"/> and <see cref="SnapshotReader"/> (and the format version bumped): until then this fails.
    /// </summary>
    [Theory]
    [InlineData(typeof(RegistryState), "Position Instances Services Environments CheckOwners CatalogPosition HealthPosition")]
    [InlineData(typeof(ServiceEntry), "InstanceIds ModifyPosition")]
    [InlineData(typeof(InstanceState), "InstanceId Version Registration Checks MaintenanceReason RejectedReasons CreatePosition ModifyPosition")]
    [InlineData(typeof(CheckState), "Spec Status Output Since")]
    [InlineData(typeof(InstanceRegistered), "InstanceId Service Env Address Port Tags Meta Routes Version Source Node Checks")]
    [InlineData(typeof(RouteSpec), "Host PathPrefix StripPrefix HttpsRedirect Timeout")]
    [InlineData(typeof(CheckSpec), "CheckId Name Kind Target Interval Timeout DeregisterCriticalServiceAfter InitialStatus Method TlsSkipVerify")]
    public void TheCodecKnowsEveryFieldOf(Type type, string fields)
    {
        var constructor = type.GetConstructors().Single(c => c.GetParameters().Length > 1);
        Assert.Equal(fields, string.Join(' ', constructor.GetParameters().Select(p => p.Name![..1].ToUpperInvariant() + p.Name[1..])));
    }

    // Every field set to something other than its default, a check whose spec is not its registration's, a time with an offset.
    private static RegistryState Everything()
    {
        var check = new CheckSpec("web-http", "HTTP on /health", CheckKind.Http, "http://10.0.0.1:8080/health",
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), HealthStatus.Warning, "POST", TlsSkipVerify: true);
        var registered = new InstanceRegistered("docker:a", "web", "feature-x", "10.0.0.1", 8080, ["v1", "canary", "v1"],
            ImmutableSortedDictionary<string, string>.Empty.Add("owner", "team-a").Add("version", "2"),
            [new RouteSpec("shop.example.com", "/api", StripPrefix: true, HttpsRedirect: true, Timeout: TimeSpan.FromMilliseconds(1500)), new RouteSpec("*.shop.example.com")],
            null, "docker", "node-1", [check]);
        var state = Fold(
            registered,
            new InstanceHealthChanged("docker:a", "web-http", HealthStatus.Critical, "connection refused: 搜索"),
            new InstanceMaintenanceChanged("docker:a", true, "kernel upgrade"),
            new ObservationRejected("docker:a", "docker", "port 70000 is outside 0-65535", "{}"),
            Registered("docker:b", "api"),
            new InstanceDeregistered("docker:b", "expired"),
            new EnvironmentDefined("feature-x", "integration"));
        var a = state.Instances["docker:a"];
        var orphan = new CheckState(Fixtures.TcpCheck with { CheckId = "orphan" }, HealthStatus.Passing, "", new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.FromHours(2)));
        return state with { Instances = state.Instances.SetItem("docker:a", a with { Checks = a.Checks.Add("orphan", orphan) }) };
    }

    private static byte[] Inflate(byte[] snapshot)
    {
        using var deflate = new DeflateStream(new MemoryStream(snapshot, 5, snapshot.Length - 5), CompressionMode.Decompress);
        using var output = new MemoryStream();
        deflate.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Deflate(byte[] payload)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true)) deflate.Write(payload);
        return output.ToArray();
    }
}
