using System.Collections.Immutable;

namespace Mesh.Projections.History;

/// <summary>A host and path prefix routed in both states that leads to another cluster or to other destinations (<c>address:port</c>).</summary>
public sealed record RouteChange(
    string Host,
    string PathPrefix,
    string FromCluster,
    string ToCluster,
    ImmutableArray<string> FromDestinations,
    ImmutableArray<string> ToDestinations);
