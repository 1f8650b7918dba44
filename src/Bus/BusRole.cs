namespace Mesh.Bus;

/// <summary>Which side of the bus a process is on (<c>Mesh:Role</c>); role <c>all</c> has no bus at all.</summary>
public enum BusRole
{
    /// <summary>Watches a Docker engine and sends each observation to <see cref="BusQueues.Observations"/>; waits only for the broker's confirm.</summary>
    Agent,

    /// <summary>Consumes <see cref="BusQueues.Observations"/> and <see cref="BusQueues.Requests"/>, decides with the local registry, answers requests.</summary>
    Registry,

    /// <summary>Serves the write API; asks a registry over <see cref="BusQueues.Requests"/> and waits for its answer.</summary>
    Edge,
}
