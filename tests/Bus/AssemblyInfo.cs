using Mesh.Tests.Common;
using Xunit;

// One private RabbitMQ node for the whole run (starting one takes seconds); each test takes its own virtual host,
// so test classes still run side by side.
[assembly: AssemblyFixture(typeof(RabbitMqServer))]
