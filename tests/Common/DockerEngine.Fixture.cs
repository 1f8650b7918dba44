namespace Mesh.Tests.Common;

/// <summary>xunit starts the engine before a test class's first test and disposes it after its last.</summary>
public sealed partial class DockerEngine : Xunit.IAsyncLifetime;
