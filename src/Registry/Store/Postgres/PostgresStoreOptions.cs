using Mesh.Registry.Configuration;
using Npgsql;

namespace Mesh.Registry.Store.Postgres;

/// <summary>
/// The PostgreSQL store: <c>Mesh:Store:ConnectionString</c> (copied into <see cref="ConnectionString"/>) and
/// <c>Mesh:Store:Postgres:*</c>.
/// </summary>
public sealed class PostgresStoreOptions : IValidatableOptions
{
    public const string Section = "Mesh:Store:Postgres";

    /// <summary>An Npgsql connection string; set from <c>Mesh:Store:ConnectionString</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// <c>PollInterval</c>: how often a caught-up subscription looks for new events when no notification came. New
    /// events normally wake it at once (LISTEN/NOTIFY); the poll only bounds how late a lost notification makes it.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>MaxBatchEvents</c>: most events written in one transaction; concurrent appends beyond it wait for the next one.</summary>
    public int MaxBatchEvents { get; set; } = 8_192;

    /// <summary><c>MaxBackoff</c>: the longest wait between attempts of a subscription (or the notification listener) to reach the database again.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add($"{StoreOptions.Section}:ConnectionString is required when {StoreOptions.Section}:Kind is {StoreOptions.Postgres}");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{StoreOptions.Section}:ConnectionString is not a valid Npgsql connection string: {ex.Message}");
            }
        }
        if (PollInterval <= TimeSpan.Zero) errors.Add($"{Section}:PollInterval must be positive (was {PollInterval})");
        if (MaxBatchEvents <= 0) errors.Add($"{Section}:MaxBatchEvents must be positive (was {MaxBatchEvents})");
        if (MaxBackoff <= TimeSpan.Zero) errors.Add($"{Section}:MaxBackoff must be positive (was {MaxBackoff})");
        return errors;
    }
}
