using System.Collections.Immutable;
using System.Text.Json;
using Mesh.Bus.Contracts;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;
using static Mesh.Bus.Tests.Support.Samples;

namespace Mesh.Bus.Tests.Contracts;

/// <summary>Observations and source events on the wire: every kind comes back as it left, metadata included.</summary>
public sealed class MessageCodecTests
{
    public static TheoryData<string, Observation> Observations => new()
    {
        { "InstanceSeen", Seen("docker:abc:8080") },
        { "InstanceGone", new InstanceGone("docker:abc", "docker", "exit 137") },
        { "CheckReported", new CheckReported("docker:abc", "docker", "web-http", HealthStatus.Warning, "slow") },
        { "MaintenanceRequested", new MaintenanceRequested("api:web-1", "api", true, "upgrade") },
        { "InstanceInvalid", new InstanceInvalid("docker:abc", "docker", "no service name") },
    };

    [Theory]
    [MemberData(nameof(Observations))]
    public void Observation_ThroughTheWire_ComesBackEqualWithItsMetadata(string type, Observation observation)
    {
        var sent = observation with { Metadata = Metadata("fact-" + type) };

        var message = RoundTrip(MessageCodec.Encode(sent));
        var received = MessageCodec.Decode(message);

        Assert.Equal((type, sent.InstanceId, sent.Source), (message.Type, message.InstanceId, message.Source));
        Assert.Equal(sent.Metadata, received.Metadata);
        Assert.Equal(sent.GetType(), received.GetType());
        if (received is InstanceSeen seen)
        {
            var original = (InstanceSeen)sent;
            Assert.True(InstanceDecider.SameDefinition(Registration(original), Registration(seen)));
        }
        else
        {
            Assert.Equal(sent, received);
        }
    }

    [Fact]
    public void InstanceSeen_WithDefaultArrays_TravelsWithEmptyOnes()
    {
        var seen = Seen("docker:abc") with { Tags = default, Routes = default, Checks = default };

        var received = (InstanceSeen)MessageCodec.Decode(RoundTrip(MessageCodec.Encode(seen)));

        Assert.Equal((0, 0, 0), (received.Tags.Length, received.Routes.Length, received.Checks.Length));
    }

    [Fact]
    public void Decode_UnknownType_SaysWhat()
    {
        var message = MessageCodec.Encode(new InstanceGone("docker:abc", "docker", "exit 0")) with { Type = "InstanceTeleported" };

        var error = Assert.Throws<InvalidDataException>(() => MessageCodec.Decode(message));

        Assert.Equal("unknown observation type 'InstanceTeleported'", error.Message);
    }

    [Fact]
    public void Decode_ObservationAboutAnotherInstance_IsRefused()
    {
        var message = MessageCodec.Encode(new InstanceGone("docker:abc", "docker", "exit 0")) with { InstanceId = "docker:xyz" };

        Assert.Throws<InvalidDataException>(() => MessageCodec.Decode(message));
    }

    [Fact]
    public void SourceFact_ThroughTheWire_ComesBackEqual()
    {
        var fact = new SourceFactRecorded("marathon", "m1", "deployment_step_success", "{\"id\":\"d1\"}");

        var message = RoundTrip(MessageCodec.Encode(fact, Metadata("d1")));

        Assert.Equal(("SourceFactRecorded", "marathon", "m1"), (message.Type, message.Source, message.Node));
        Assert.Equal(fact, MessageCodec.Decode(message));
        Assert.Equal(Metadata("d1"), MessageCodec.DecodeMetadata(message.Metadata));
    }

    // As MassTransit carries it: the message serialized and read back on the other side.
    private static T RoundTrip<T>(T message) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(message, JsonSerializerOptions.Web), JsonSerializerOptions.Web)!;

    private static InstanceRegistered Registration(InstanceSeen s) => new(
        s.InstanceId, s.Service, s.Env, s.Address, s.Port, s.Tags, s.Meta ?? ImmutableSortedDictionary<string, string>.Empty, s.Routes, s.Version, s.Source, s.Node, s.Checks);
}
