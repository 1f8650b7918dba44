namespace Mesh.Registry.Store;

/// <summary><c>Mesh:Store</c>: which event store backend this process uses.</summary>
public sealed class StoreOptions
{
    public const string Sqlite = "sqlite";

    /// <summary><c>Mesh:Store:Kind</c>: <c>sqlite</c> (embedded, the default).</summary>
    public string Kind { get; set; } = Sqlite;

    /// <summary><c>Mesh:Store:ConnectionString</c>: for server backends; the embedded store ignores it.</summary>
    public string? ConnectionString { get; set; }
}
