using System.Text.Json;

namespace Mesh.Bus.Contracts;

/// <summary>
/// Decide one observation. From an agent it is sent to <see cref="BusQueues.Observations"/> and not answered; from
/// an edge it is a request to <see cref="BusQueues.Requests"/>, answered with <see cref="ObservationDecided"/>.
/// <see cref="Observation"/> is the observation's JSON (<c>EventSerializer.Options</c>) as its concrete
/// <see cref="Type"/>; <see cref="Metadata"/> is its <c>EventMetadata</c> (source time, correlation id, source fact
/// id, raw payload), carried apart so that it reaches the appended events as the source gave it.
/// <see cref="InstanceId"/> and <see cref="Source"/> repeat the observation's, so that even an unreadable
/// observation can be rejected for its instance.
/// </summary>
public sealed record DecideObservation(string Type, string InstanceId, string Source, JsonElement Observation, JsonElement Metadata);
