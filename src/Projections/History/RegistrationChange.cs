using System.Collections.Immutable;

namespace Mesh.Projections.History;

/// <summary>
/// An instance registered in both states under another definition: <see cref="Fields"/> names what differs, in
/// the order <c>service</c>, <c>env</c>, <c>address</c>, <c>port</c>, <c>tags</c>, <c>version</c>, <c>routes</c>.
/// <see cref="Service"/> is the later one.
/// </summary>
public sealed record RegistrationChange(
    string InstanceId,
    string Service,
    ImmutableArray<string> Fields,
    InstanceSummary Before,
    InstanceSummary After);
