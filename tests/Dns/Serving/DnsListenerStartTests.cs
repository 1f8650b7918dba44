using System.Net;
using System.Net.Sockets;
using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>Where the listeners bind: UDP and TCP on one port, a configured 0 picking a free one for both.</summary>
public sealed class DnsListenerStartTests
{
    [Fact]
    public async Task Each_listener_answers_on_udp_and_tcp_at_the_one_port_it_reports()
    {
        await using var dns = await DnsHarness.StartAsync(new Dictionary<string, string?> { ["Views:feature-x:Port"] = "0" });
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        foreach (var listener in dns.Endpoints.Listeners)
        {
            Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("web.service.mesh", QueryType.A, at: listener.EndPoint)));
            Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("web.service.mesh", QueryType.A, tcp: true, at: listener.EndPoint)));
        }
    }

    [Fact]
    public async Task A_configured_port_0_starts_even_when_the_udp_port_it_gets_is_taken_on_tcp()
    {
        // Take a seventh of the ephemeral ports on TCP, then start the server repeatedly: without the retry, some UDP port
        // it gets is one of them (each start, about one chance in seven; none in 40 starts: 0.2%).
        var taken = new List<Socket>();
        try
        {
            for (var i = 0; i < 4000; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                taken.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                socket.Listen();
            }
            for (var start = 0; start < 40; start++)
            {
                await using var dns = await DnsHarness.StartAsync();
                Assert.NotEqual(0, dns.EndPoint.Port);
            }
        }
        finally
        {
            foreach (var socket in taken) socket.Dispose();
        }
    }
}
