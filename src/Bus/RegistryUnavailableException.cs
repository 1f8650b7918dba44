namespace Mesh.Bus;

/// <summary>
/// No registry decided the call in time: the broker is unreachable, no registry consumes, or the registry failed.
/// Nothing is known to be appended; the API answers 503, never a false 200. Sending the same observation again is
/// safe: the registry appends nothing for what it already holds.
/// </summary>
public sealed class RegistryUnavailableException : Exception
{
    public RegistryUnavailableException()
        : base("The registry is unavailable.")
    {
    }

    public RegistryUnavailableException(string message)
        : base(message)
    {
    }

    public RegistryUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
