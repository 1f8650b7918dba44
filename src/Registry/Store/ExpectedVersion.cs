namespace Mesh.Registry.Store;

/// <summary>
/// What the writer believes about a stream before appending. Versions count from 0 (the first event);
/// <see cref="NoStream"/> means the stream must not exist yet.
/// </summary>
public readonly record struct ExpectedVersion(long Value)
{
    public static readonly ExpectedVersion Any = new(-2);
    public static readonly ExpectedVersion NoStream = new(-1);

    public static ExpectedVersion Exactly(long version) =>
        version >= 0 ? new(version) : throw new ArgumentOutOfRangeException(nameof(version));

    /// <summary>The expectation that matches a stream whose last version is <paramref name="current"/> (-1: none).</summary>
    public static ExpectedVersion After(long current) => current < 0 ? NoStream : new(current);

    public bool IsSatisfiedBy(long currentVersion) => Value == Any.Value || Value == currentVersion;

    public override string ToString() => Value switch
    {
        -2 => "any",
        -1 => "no stream",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
