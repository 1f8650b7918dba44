using System.Collections.Immutable;
using ARSoft.Tools.Net.Dns;

namespace Mesh.Dns.Zones;

/// <summary>
/// The answer to one question: a return code and the three record sections. <see cref="Authoritative"/> is false
/// for REFUSED (a name outside Mesh's zones) and NOTIMP. <see cref="Shuffled"/> marks an address set whose order should
/// change from one response to the next.
/// </summary>
public sealed record ZoneAnswer(
    ReturnCode Code,
    ImmutableArray<DnsRecordBase> Answers,
    ImmutableArray<DnsRecordBase> Authority,
    ImmutableArray<DnsRecordBase> Additional,
    bool Shuffled = false)
{
    public static readonly ZoneAnswer Refused = new(ReturnCode.Refused, [], [], []);

    public static readonly ZoneAnswer NotImplemented = new(ReturnCode.NotImplemented, [], [], []);

    public bool Authoritative => Code is not (ReturnCode.Refused or ReturnCode.NotImplemented);

    public bool IsNoData => Code == ReturnCode.NoError && Answers.IsEmpty;
}
