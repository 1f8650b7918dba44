using Mesh.Tests.Common;

using Xunit;

namespace Mesh.Registry.Tests.Store.Postgres;

/// <summary>The test classes that share one private PostgreSQL server (each test in a database of its own); they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
