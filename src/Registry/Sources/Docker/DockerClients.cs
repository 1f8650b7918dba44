using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.NativeHttp;

namespace Mesh.Registry.Sources.Docker;

/// <summary>Docker.DotNet clients for the configured endpoint: a unix socket, or TCP (with TLS client certificates when configured).</summary>
internal static class DockerClients
{
    /// <summary>
    /// A client for <paramref name="options"/>' endpoint speaking <paramref name="apiVersion"/>; without one, requests
    /// are unversioned (the engine answers with its own version: used for <c>GET /version</c> only).
    /// </summary>
    public static DockerClient Create(DockerSourceOptions options, Version? apiVersion)
    {
        var endpoint = DockerSourceOptions.ParseEndpoint(options.Endpoint ?? "")
            ?? throw new InvalidOperationException($"{DockerSourceOptions.Section}:Endpoint '{options.Endpoint}' is not a unix:// or tcp:// endpoint.");
        var builder = new DockerClientBuilder().WithEndpoint(endpoint);
        if (apiVersion is not null) builder = builder.WithApiVersion(apiVersion);
        if (endpoint.Scheme == "tcp" && options.UsesTls)
        {
            // The native transport is a SocketsHttpHandler, whose SslOptions take the client certificate and CA.
            return builder
                .WithAuthProvider(new TlsAuthProvider(options.TlsCaFile, options.TlsCertFile, options.TlsKeyFile))
                .WithTransportOptions(new NativeHttpTransportOptions())
                .Build();
        }
        return builder.Build();
    }

    /// <summary>TLS as the Docker CLI does it: the engine's certificate checked against the CA file, the client's certificate presented.</summary>
    private sealed class TlsAuthProvider(string? caFile, string? certFile, string? keyFile) : IAuthProvider
    {
        public bool TlsEnabled => true;

        public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler)
        {
            if (handler is not SocketsHttpHandler sockets)
                throw new NotSupportedException($"TLS needs the native HTTP transport, not {handler.GetType().Name}.");
            var ssl = sockets.SslOptions;
            if (!string.IsNullOrWhiteSpace(certFile) && !string.IsNullOrWhiteSpace(keyFile))
                ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(certFile, keyFile)];
            if (!string.IsNullOrWhiteSpace(caFile))
            {
                var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
                ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is not null && ChainsTo(certificate, ca, errors);
            }
            return handler;
        }

        // The CA file is the only trust root, as with `docker --tlsverify --tlscacert`; the host name must still match.
        private static bool ChainsTo(X509Certificate certificate, X509Certificate2 ca, SslPolicyErrors errors)
        {
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        }
    }
}
