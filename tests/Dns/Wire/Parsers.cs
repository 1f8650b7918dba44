using System.Reflection;
using DnsClient.Protocol;
using DnsMessage = ARSoft.Tools.Net.Dns.DnsMessage;
using DnsClientQuestion = DnsClient.DnsQuestion;
using DnsResponseHeader = DnsClient.DnsResponseHeader;
using LookupClient = DnsClient.LookupClient;

namespace Mesh.Dns.Tests.Wire;

/// <summary>
/// Two independent DNS parsers for our encoder's bytes: ARSoft.Tools.Net's <see cref="DnsMessage.Parse"/>, and
/// DnsClient.NET's, which that library keeps internal (the message handler it reads UDP responses with) and this
/// reaches by reflection; when a DnsClient version moves it, the tests that use it are skipped, saying so.
/// </summary>
internal static class Parsers
{
    public static DnsMessage ArSoft(byte[] bytes) => DnsMessage.Parse(new ArraySegment<byte>(bytes));

    /// <summary>DnsClient.NET's reading of <paramref name="bytes"/>: header, and the records of each section.</summary>
    public static DnsClientMessage DnsClientNet(byte[] bytes)
    {
        var handlerType = typeof(LookupClient).Assembly.GetType("DnsClient.DnsUdpMessageHandler");
        var parse = handlerType?.GetMethod("GetResponseMessage", BindingFlags.Public | BindingFlags.Instance, [typeof(ArraySegment<byte>)]);
        if (handlerType is null || parse is null)
        {
            Assert.Skip("DnsClient.NET's response parser (DnsUdpMessageHandler.GetResponseMessage) is not reachable in this version");
        }
        var handler = Activator.CreateInstance(handlerType!, nonPublic: true)!;
        object message;
        try
        {
            message = parse!.Invoke(handler, [new ArraySegment<byte>(bytes)])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
        T Get<T>(string property) => (T)message.GetType().GetProperty(property)!.GetValue(message)!;
        return new DnsClientMessage(
            Get<DnsResponseHeader>("Header"),
            Get<IReadOnlyList<DnsClientQuestion>>("Questions"),
            Get<IReadOnlyList<DnsResourceRecord>>("Answers"),
            Get<IReadOnlyList<DnsResourceRecord>>("Authorities"),
            Get<IReadOnlyList<DnsResourceRecord>>("Additionals"));
    }
}

internal sealed record DnsClientMessage(
    DnsResponseHeader Header,
    IReadOnlyList<DnsClientQuestion> Questions,
    IReadOnlyList<DnsResourceRecord> Answers,
    IReadOnlyList<DnsResourceRecord> Authorities,
    IReadOnlyList<DnsResourceRecord> Additionals);

/// <summary>A record as one line, the same for both parsers' records and for the ones a zone answer holds.</summary>
internal static class RecordText
{
    public static string Of(ARSoft.Tools.Net.Dns.DnsRecordBase record) => Line(record.Name.ToString(), record.TimeToLive, record switch
    {
        ARSoft.Tools.Net.Dns.ARecord a => $"A {a.Address}",
        ARSoft.Tools.Net.Dns.AaaaRecord a => $"AAAA {a.Address}",
        ARSoft.Tools.Net.Dns.SrvRecord s => $"SRV {s.Priority} {s.Weight} {s.Port} {s.Target}",
        ARSoft.Tools.Net.Dns.SoaRecord s =>
            $"SOA {s.MasterName} {s.ResponsibleName} {s.SerialNumber} {s.RefreshInterval} {s.RetryInterval} {s.ExpireInterval} {s.NegativeCachingTTL}",
        ARSoft.Tools.Net.Dns.NsRecord n => $"NS {n.NameServer}",
        ARSoft.Tools.Net.Dns.CNameRecord c => $"CNAME {c.CanonicalName}",
        _ => throw new InvalidOperationException($"unexpected record {record}"),
    });

    public static string Of(DnsResourceRecord record) => Line(record.DomainName.Value, record.InitialTimeToLive, record switch
    {
        DnsClient.Protocol.ARecord a => $"A {a.Address}",
        DnsClient.Protocol.AaaaRecord a => $"AAAA {a.Address}",
        DnsClient.Protocol.SrvRecord s => $"SRV {s.Priority} {s.Weight} {s.Port} {s.Target.Value}",
        DnsClient.Protocol.SoaRecord s => $"SOA {s.MName.Value} {s.RName.Value} {s.Serial} {s.Refresh} {s.Retry} {s.Expire} {s.Minimum}",
        DnsClient.Protocol.NsRecord n => $"NS {n.NSDName.Value}",
        DnsClient.Protocol.CNameRecord c => $"CNAME {c.CanonicalName.Value}",
        _ => throw new InvalidOperationException($"unexpected record {record}"),
    });

    public static string[] Of(IEnumerable<ARSoft.Tools.Net.Dns.DnsRecordBase> records) =>
        [.. records.Where(r => r is not ARSoft.Tools.Net.Dns.OptRecord).Select(Of)];

    public static string[] Of(IEnumerable<DnsResourceRecord> records) => [.. records.Where(r => r is not DnsClient.Protocol.Options.OptRecord).Select(Of)];

    private static string Line(string name, int ttl, string data) => $"{name.TrimEnd('.')}. {ttl} {data}".ToLowerInvariant();
}
