namespace Mesh.Tests.Common;

/// <summary>xunit starts the node before the first test that shares it and disposes it after the last.</summary>
public sealed partial class RabbitMqServer : Xunit.IAsyncLifetime;
