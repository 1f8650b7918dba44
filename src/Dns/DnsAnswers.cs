using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Serving;
using Mesh.Dns.Zones;
using Mesh.Projections.State;

namespace Mesh.Dns;

/// <summary>
/// What the DNS server would answer for a registry state: forensics asks it of past states ("what did
/// <c>web.service.mesh</c> answer at 14:03?"). The same zone view as the server's, with the server's settings.
/// </summary>
public sealed class DnsAnswers
{
    private readonly ZoneSettings _settings;

    internal DnsAnswers(DnsZoneFeed zones) => _settings = zones.Settings;

    /// <summary>The answer to <paramref name="name"/> <paramref name="type"/> (A, AAAA, SRV, ...) from <paramref name="view"/>; null when the type is unknown.</summary>
    public DnsAnswerView? Answer(RegistryState state, string name, string type, string view)
    {
        if (!Enum.TryParse<RecordType>(type, ignoreCase: true, out var recordType) || !DomainName.TryParse(name, out var domain) || domain is null) return null;
        var answer = ZoneView.Of(state, _settings).Answer(domain, recordType, view);
        return new DnsAnswerView(state.Position, name, recordType.ToString().ToUpperInvariant(), view, Code(answer.Code), answer.Authoritative,
            [.. answer.Answers.Select(r => r.ToString())], [.. answer.Authority.Select(r => r.ToString())], [.. answer.Additional.Select(r => r.ToString())]);
    }

    private static string Code(ReturnCode code) => code switch
    {
        ReturnCode.NoError => "NOERROR",
        ReturnCode.NxDomain => "NXDOMAIN",
        ReturnCode.Refused => "REFUSED",
        ReturnCode.NotImplemented => "NOTIMP",
        _ => code.ToString().ToUpperInvariant(),
    };
}

/// <summary>One answer as zone-file lines, e.g. <c>web.service.mesh. 5 IN A 10.0.0.1</c>.</summary>
public sealed record DnsAnswerView(
    long Position, string Name, string Type, string View, string Code, bool Authoritative,
    IReadOnlyList<string> Answers, IReadOnlyList<string> Authority, IReadOnlyList<string> Additional);
