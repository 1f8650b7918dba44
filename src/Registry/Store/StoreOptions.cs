using Mesh.Registry.Configuration;

namespace Mesh.Registry.Store;

/// <summary><c>Mesh:Store</c>: which event store backend this process uses.</summary>
public sealed class StoreOptions : IValidatableOptions
{
    public const string Section = "Mesh:Store";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>Mesh:Store:Kind</c>: <c>sqlite</c> (embedded, the default) or <c>postgres</c> (a shared PostgreSQL database).</summary>
    public string Kind { get; set; } = Sqlite;

    /// <summary><c>Mesh:Store:ConnectionString</c>: for server backends (an Npgsql connection string for <c>postgres</c>); the embedded store ignores it.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => string.Equals(Kind, Postgres, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with these settings, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!string.Equals(Kind, Sqlite, StringComparison.OrdinalIgnoreCase) && !IsPostgres)
            errors.Add($"{Section}:Kind must be '{Sqlite}' (the embedded store) or '{Postgres}' (was '{Kind}')");
        if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
            errors.Add($"{Section}:ConnectionString is required when {Section}:Kind is {Postgres}");
        return errors;
    }
}
