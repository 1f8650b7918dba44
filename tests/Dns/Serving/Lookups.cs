using System.Net;
using DnsClient;
using DnsClient.Protocol;
using DnsClient.Protocol.Options;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>DnsClient.NET queries against a <see cref="DnsHarness"/>, over UDP (TCP on truncation) or TCP only.</summary>
internal static class Lookups
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<IDnsQueryResponse> QueryAsync(this DnsHarness dns, string name, QueryType type, bool tcp = false, IPEndPoint? at = null)
    {
        var client = at is null
            ? dns.Client(o => o.UseTcpOnly = tcp)
            : new LookupClient(new LookupClientOptions(new NameServer(at))
            {
                UseCache = false,
                Retries = 0,
                Timeout = TimeSpan.FromSeconds(5),
                ThrowDnsErrors = false,
                ContinueOnDnsError = false,
                UseTcpOnly = tcp,
            });
        return client.QueryAsync(name, type, cancellationToken: Ct);
    }

    /// <summary>The answered A/AAAA addresses, sorted.</summary>
    public static List<string> AddressesOf(IDnsQueryResponse response) =>
        [.. response.Answers.OfType<AddressRecord>().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Everything a response says, in an order-free form: code, AA, TC and each section's records as text (sorted:
    /// address sets are shuffled), in lowercase: the UDP path answers in the asker's letter case.
    /// </summary>
    public static string Describe(IDnsQueryResponse response) => (
        $"{response.Header.ResponseCode} aa={response.Header.HasAuthorityAnswer} tc={response.Header.ResultTruncated}\n" +
        $"answers: {string.Join(" | ", response.Answers.Select(Text).Order(StringComparer.Ordinal))}\n" +
        $"authority: {string.Join(" | ", response.Authorities.Select(Text).Order(StringComparer.Ordinal))}\n" +
        $"additional: {string.Join(" | ", response.Additionals.Where(r => r is not OptRecord).Select(Text).Order(StringComparer.Ordinal))}").ToLowerInvariant();

    // A record as text with the TTL it was sent with (DnsClient's own text counts the TTL down as time passes).
    private static string Text(DnsResourceRecord record)
    {
        var parts = record.ToString().Split(' ');
        parts[1] = record.InitialTimeToLive.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Join(' ', parts);
    }

    /// <summary>Waits until the registry's metric reaches <paramref name="expected"/> (UDP counts after sending), then returns it.</summary>
    public static async Task<double> MetricReachingAsync(this DnsHarness dns, double expected, string name, params (string Key, string Value)[] labels)
    {
        double value = 0;
        await Mesh.Tests.Common.Poll.UntilAsync(async () => (value = await MetricsText.ValueAsync(dns.Metrics, name, labels)) >= expected,
            $"{name}{{{string.Join(',', labels.Select(l => $"{l.Key}={l.Value}"))}}} to reach {expected}", TimeSpan.FromSeconds(10), Ct,
            () => $" It is {value}.");
        return value;
    }
}
