using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using CsCheck;
using Mesh.Dns.Zones;
using static Mesh.Dns.Tests.Wire.QueryBytes;

namespace Mesh.Dns.Tests.Wire;

/// <summary>
/// Random zone answers (A, AAAA, SRV, SOA records over a few random names, so that compression has suffixes to share)
/// encoded at random size limits: always a message both parsers read, never over the limit, and complete unless
/// truncated.
/// </summary>
public sealed class ResponseWriterPropertyTests
{
    private const string LabelChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

    private static readonly Gen<string> Label = Gen.Frequency(
        (6, Gen.Char[LabelChars].Array[1, 8].Select(c => new string(c))),
        (1, Gen.Char[LabelChars].Array[1, 63].Select(c => new string(c))),
        (2, Gen.OneOf(Gen.Const("mesh"), Gen.Const("service"), Gen.Const("addr"))));

    // At most three labels of 63 under "mesh": 3 × 64 + 6 bytes, well within 255.
    private static readonly Gen<DomainName> Name = Gen.Select(Label.Array[0, 3], Gen.Bool,
        (labels, underMesh) => new DomainName(underMesh || labels.Length == 0 ? [.. labels, "mesh"] : labels));

    private static readonly Gen<int> Ttl = Gen.Int[0, int.MaxValue];

    private static Gen<DnsRecordBase> Record(DomainName[] names)
    {
        var name = Gen.Int[0, names.Length - 1].Select(i => names[i]);
        return Gen.Frequency(
            (4, Gen.Select(name, Ttl, Gen.Byte.Array[4], (n, ttl, b) => (DnsRecordBase)new ARecord(n, ttl, new IPAddress(b)))),
            (2, Gen.Select(name, Ttl, Gen.Byte.Array[16], (n, ttl, b) => (DnsRecordBase)new AaaaRecord(n, ttl, new IPAddress(b)))),
            (3, Gen.Select(name, Ttl, Gen.UShort, Gen.UShort, Gen.UShort, name,
                (n, ttl, priority, weight, port, target) => (DnsRecordBase)new SrvRecord(n, ttl, priority, weight, port, target))),
            (1, Gen.Select(name, Ttl, name, name, Gen.UInt, Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue],
                (n, ttl, master, responsible, serial, interval, minimum) =>
                    (DnsRecordBase)new SoaRecord(n, ttl, master, responsible, serial, interval, interval / 2, interval / 3, minimum))));
    }

    // The address records of one name, as ZoneView marks for shuffling: the question's own addresses.
    private static Gen<DnsRecordBase> Address(DomainName name) => Gen.Frequency(
        (3, Gen.Select(Ttl, Gen.Byte.Array[4], (ttl, b) => (DnsRecordBase)new ARecord(name, ttl, new IPAddress(b)))),
        (1, Gen.Select(Ttl, Gen.Byte.Array[16], (ttl, b) => (DnsRecordBase)new AaaaRecord(name, ttl, new IPAddress(b)))));

    private static readonly Gen<Case> Cases =
        from names in Name.Array[1, 5]
        let record = Record(names)
        from code in Gen.OneOf(Gen.Const(ReturnCode.NoError), Gen.Const(ReturnCode.NxDomain))
        from shuffled in Gen.Bool
        from answers in shuffled ? Address(names[0]).Array[0, 60] : record.Array[0, 40]
        from authority in shuffled ? Gen.Const(Array.Empty<DnsRecordBase>()) : record.Array[0, 3]
        from additional in shuffled ? Gen.Const(Array.Empty<DnsRecordBase>()) : record.Array[0, 40]
        from edns in Gen.Bool
        from dnssecOk in Gen.Bool
        from limit in Gen.Frequency((3, Gen.Const(512)), (3, Gen.Int[512, 1500]), (1, Gen.Int[512, 65535]))
        select new Case(names[0], new ZoneAnswer(code, [.. answers], [.. authority], [.. additional], shuffled), edns, dnssecOk, limit);

    [Fact]
    public void Encoded_answers_parse_stay_within_the_limit_and_are_complete_unless_truncated()
    {
        Cases.Sample(c =>
        {
            var message = Query(c.Question.ToString(), TypeA, opt: c.Edns ? Opt(udpSize: (ushort)c.Limit, dnssecOk: c.DnssecOk) : null);

            var (bytes, response) = WireEncoding.Respond(message, c.Answer, c.Limit);

            Assert.InRange(bytes.Length, 12, c.Limit);
            var parsed = Parsers.ArSoft(bytes);
            Assert.Equal(response.Truncated, parsed.IsTruncated);
            Assert.Equal(c.Answer.Code, parsed.ReturnCode);
            Assert.Equal(c.Edns, parsed.IsEDnsEnabled);
            if (c.Edns) Assert.Equal(c.DnssecOk, parsed.IsDnsSecOk);
            var answers = RecordText.Of(parsed.AnswerRecords);
            var authority = RecordText.Of(parsed.AuthorityRecords);
            var additional = RecordText.Of(parsed.AdditionalRecords);
            if (!parsed.IsTruncated)
            {
                Assert.Equal(RecordText.Of(c.Answer.Answers), answers);
                Assert.Equal(RecordText.Of(c.Answer.Authority), authority);
            }
            else
            {
                Assert.Equal(RecordText.Of(c.Answer.Answers).Take(answers.Length), answers);
                Assert.Equal(RecordText.Of(c.Answer.Authority).Take(authority.Length), authority);
                Assert.True(answers.Length < c.Answer.Answers.Length || authority.Length < c.Answer.Authority.Length);
                Assert.Empty(additional);
            }
            Assert.Equal(RecordText.Of(c.Answer.Additional).Take(additional.Length), additional);

            var client = Parsers.DnsClientNet(bytes);
            Assert.Equal(answers, RecordText.Of(client.Answers));
            Assert.Equal(authority, RecordText.Of(client.Authorities));
            Assert.Equal(additional, RecordText.Of(client.Additionals));
        }, iter: 3000, print: c => c.ToString());
    }

    [Fact]
    public void Shuffling_any_encoded_answer_keeps_its_records()
    {
        Cases.Sample(c =>
        {
            var message = Query(c.Question.ToString(), TypeA, opt: c.Edns ? Opt(udpSize: (ushort)c.Limit) : null);
            var (bytes, response) = WireEncoding.Respond(message, c.Answer, c.Limit);
            if (!response.Shuffles) return;

            var shuffled = bytes.ToArray();
            Mesh.Dns.Wire.ResponseWriter.Shuffle(shuffled, response);

            var before = Parsers.ArSoft(bytes);
            var after = Parsers.ArSoft(shuffled);
            Assert.Equal(RecordText.Of(before.AnswerRecords).Order(), RecordText.Of(after.AnswerRecords).Order());
            Assert.Equal(RecordText.Of(before.AuthorityRecords), RecordText.Of(after.AuthorityRecords));
            Assert.Equal(RecordText.Of(before.AdditionalRecords), RecordText.Of(after.AdditionalRecords));
        }, iter: 3000, print: c => c.ToString());
    }

    private sealed record Case(DomainName Question, ZoneAnswer Answer, bool Edns, bool DnssecOk, int Limit)
    {
        public override string ToString() =>
            $"question {Question}, limit {Limit}, edns {Edns}, {Answer.Code}, shuffled {Answer.Shuffled}\n" +
            $"answer: {string.Join("\n  ", Answer.Answers)}\nauthority: {string.Join("\n  ", Answer.Authority)}\nadditional: {string.Join("\n  ", Answer.Additional)}";
    }
}
