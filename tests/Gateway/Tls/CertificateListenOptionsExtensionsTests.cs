using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Mesh.Tests.Common;

namespace Mesh.Gateway.Tests.Tls;

/// <summary>Real handshakes against the gateway's kind of HTTPS listener.</summary>
public sealed class CertificateListenOptionsExtensionsTests(TlsServer server) : IClassFixture<TlsServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("api.example.com", "exact")]
    [InlineData("API.Example.com", "exact")]
    [InlineData("shop.example.com", "wildcard")]
    [InlineData("a.shop.example.com", "default")]
    [InlineData("unknown.test", "default")]
    [InlineData("", "default")] // no SNI at all
    public async Task Handshake_ServerName_ServesItsCertificate(string serverName, string expected)
    {
        var served = await HandshakeAsync(serverName);

        Assert.Equal(expected, served.Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
    }

    [Fact]
    public async Task Handshake_ChainInPemFile_IntermediateSent()
    {
        var served = await HandshakeAsync("chained.test");

        Assert.Equal(server.Chained.Leaf.Thumbprint, served.Certificate.Thumbprint);
        Assert.Contains(server.Chained.Intermediate.Thumbprint, served.Sent);
    }

    [Fact]
    public async Task Handshake_ClientOffersHttp2_Http2Negotiated()
    {
        var served = await HandshakeAsync("api.example.com");

        Assert.Equal(SslApplicationProtocol.Http2, served.Protocol);
    }

    [Fact]
    public async Task HttpClient_Http2RequestWithSni_AnsweredOverTls()
    {
        string? served = null;
        using var handler = new SocketsHttpHandler
        {
            // Every host name leads to the test's listener; the URL's host is the SNI name.
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, server.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    served = certificate?.Subject;
                    return true;
                },
            },
        };
        using var client = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var body = await client.GetStringAsync(new Uri($"https://shop.example.com:{server.Port}/"), Ct);

        Assert.Equal("served over HTTP/2", body);
        Assert.Equal("CN=wildcard", served);
    }

    [Fact]
    public async Task Handshake_CertificateFilesReplaced_NextHandshakeServesTheNewOne()
    {
        var renewed = TlsFiles.Create("renewed", "renew.test");

        TlsFiles.Replace(server.Renewing.KeyPath!, TlsFiles.KeyPem(renewed));
        TlsFiles.Replace(server.Renewing.Path, TlsFiles.CertificatePem(renewed));

        await Poll.UntilAsync(
            async () => (await HandshakeAsync("renew.test")).Certificate.Thumbprint == renewed.Thumbprint, "the renewed certificate served",
            TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(server.Wildcard.Thumbprint, (await HandshakeAsync("shop.example.com")).Certificate.Thumbprint);
    }

    private async Task<Served> HandshakeAsync(string serverName)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port, Ct);
        X509Certificate2? certificate = null;
        string[] sent = [];
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, remote, chain, _) =>
        {
            certificate = remote is null ? null : new X509Certificate2(remote);
            sent = chain?.ChainPolicy.ExtraStore.Select(c => c.Thumbprint).ToArray() ?? [];
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        }, Ct);
        return new Served(certificate!, sent, tls.NegotiatedApplicationProtocol);
    }

    private sealed record Served(X509Certificate2 Certificate, string[] Sent, SslApplicationProtocol Protocol);
}
