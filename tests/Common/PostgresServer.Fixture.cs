namespace Mesh.Tests.Common;

/// <summary>xunit starts the server before a collection's first test and disposes it after its last.</summary>
public sealed partial class PostgresServer : Xunit.IAsyncLifetime;
