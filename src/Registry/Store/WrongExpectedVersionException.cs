namespace Mesh.Registry.Store;

/// <summary>An append's expected version did not match the stream: someone else wrote first.</summary>
public sealed class WrongExpectedVersionException(StreamName stream, ExpectedVersion expected, long actual)
    : Exception($"Stream '{stream}' expected version {expected} but is at {(actual < 0 ? "no stream" : actual)}.")
{
    public StreamName Stream { get; } = stream;
    public ExpectedVersion Expected { get; } = expected;
    public long ActualVersion { get; } = actual;
}
