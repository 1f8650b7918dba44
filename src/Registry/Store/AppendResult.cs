namespace Mesh.Registry.Store;

/// <summary>Where an append landed: the stream's new last version and the global position of its last event.</summary>
public readonly record struct AppendResult(long StreamVersion, long Position);
