using System.Globalization;
using Mesh.Tests.Common;

namespace Mesh.Bus.Tests.Support;

/// <summary><c>Mesh:Bus</c> settings for a test: its own virtual host on the shared node, short timeouts and retry waits.</summary>
internal static class BusSettings
{
    public static Dictionary<string, string?> RabbitMq(
        RabbitMqServer broker, string virtualHost, TimeSpan? requestTimeout = null, int retryLimit = 2) => new()
    {
        ["Mesh:Bus:Transport"] = "rabbitmq",
        ["Mesh:Bus:RabbitMq:Host"] = broker.Host,
        ["Mesh:Bus:RabbitMq:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
        ["Mesh:Bus:RabbitMq:Username"] = broker.Username,
        ["Mesh:Bus:RabbitMq:Password"] = broker.Password,
        ["Mesh:Bus:RabbitMq:VirtualHost"] = virtualHost,
        ["Mesh:Bus:RequestTimeout"] = (requestTimeout ?? TimeSpan.FromSeconds(30)).ToString("c", CultureInfo.InvariantCulture),
        ["Mesh:Bus:RetryLimit"] = retryLimit.ToString(CultureInfo.InvariantCulture),
        ["Mesh:Bus:RetryInterval"] = "00:00:00.020",
    };

    public static Dictionary<string, string?> InMemory(TimeSpan? requestTimeout = null) => new()
    {
        ["Mesh:Bus:Transport"] = "inmemory",
        ["Mesh:Bus:RequestTimeout"] = (requestTimeout ?? TimeSpan.FromSeconds(30)).ToString("c", CultureInfo.InvariantCulture),
        ["Mesh:Bus:RetryLimit"] = "2",
        ["Mesh:Bus:RetryInterval"] = "00:00:00.020",
    };
}
