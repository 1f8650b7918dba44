using System.Buffers.Binary;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Wire;
using Mesh.Dns.Zones;
using static Mesh.Dns.Tests.Wire.QueryBytes;
using static Mesh.Dns.Tests.Wire.WireEncoding;
using static Mesh.Dns.Tests.Zones.ZoneFixtures;

namespace Mesh.Dns.Tests.Wire;

/// <summary><see cref="ResponseWriter.Answer"/>, <see cref="ResponseWriter.Patch"/> and <see cref="ResponseWriter.Shuffle"/>, read back by two parsers.</summary>
public sealed class ResponseWriterTests
{
    private static readonly ZoneView Web = Zone(
        Registered("api:web-1", "web", "10.0.0.1", port: 8080),
        Registered("api:web-2", "web", "10.0.0.2", port: 8081),
        Registered("api:web-3", "web", "fd00::3", port: 8082),
        Registered("api:web-4", "web", "web-4.example.internal", port: 8083));

    /// <summary>A service of <paramref name="count"/> instances on distinct addresses.</summary>
    private static ZoneView Many(int count) =>
        Zone(Enumerable.Range(1, count).Select(i => Registered($"api:big-{i}", "big", $"10.0.{i / 250}.{i % 250 + 1}", port: 9000 + i)));

    [Theory]
    [InlineData("web.service.mesh", RecordType.A)]
    [InlineData("web.service.mesh", RecordType.Aaaa)]
    [InlineData("web.service.mesh", RecordType.Any)]
    [InlineData("_web._tcp.service.mesh", RecordType.Srv)]
    [InlineData("mesh", RecordType.Soa)]
    [InlineData("mesh", RecordType.Ns)]
    [InlineData("mesh", RecordType.Any)]
    [InlineData("nope.service.mesh", RecordType.A)]
    [InlineData("web.service.mesh", RecordType.Txt)]
    [InlineData("0a000001.addr.mesh", RecordType.A)]
    [InlineData("node-1.node.mesh", RecordType.A)]
    [InlineData("web.mesh", RecordType.A)]
    public void A_response_carries_exactly_the_zone_answer_s_records_for_arsoft(string name, RecordType type)
    {
        var answer = Web.Ask(name, type);
        var (bytes, response) = Respond(Web, name, type);

        var parsed = Parsers.ArSoft(bytes);

        Assert.False(parsed.IsQuery);
        Assert.Equal(0x1234, parsed.TransactionID);
        Assert.Equal(OperationCode.Query, parsed.OperationCode);
        Assert.True(parsed.IsAuthoritiveAnswer);
        Assert.True(parsed.IsRecursionDesired);
        Assert.False(parsed.IsRecursionAllowed);
        Assert.False(parsed.IsTruncated);
        Assert.Equal(answer.Code, parsed.ReturnCode);
        Assert.Equal(answer.Code, response.Code);
        var question = Assert.Single(parsed.Questions);
        Assert.Equal(DomainName.Parse(name), question.Name);
        Assert.Equal(type, question.RecordType);
        Assert.Equal(RecordClass.INet, question.RecordClass);
        Assert.Equal(RecordText.Of(answer.Answers), RecordText.Of(parsed.AnswerRecords));
        Assert.Equal(RecordText.Of(answer.Authority), RecordText.Of(parsed.AuthorityRecords));
        Assert.Equal(RecordText.Of(answer.Additional), RecordText.Of(parsed.AdditionalRecords));
        Assert.False(parsed.IsEDnsEnabled);
    }

    [Theory]
    [InlineData("web.service.mesh", RecordType.Any)]
    [InlineData("_web._tcp.service.mesh", RecordType.Srv)]
    [InlineData("mesh", RecordType.Any)]
    [InlineData("nope.service.mesh", RecordType.A)]
    public void A_response_carries_exactly_the_zone_answer_s_records_for_dnsclient(string name, RecordType type)
    {
        var answer = Web.Ask(name, type);
        var (bytes, _) = Respond(Web, name, type, opt: Opt());

        var parsed = Parsers.DnsClientNet(bytes);

        Assert.Equal(0x1234, parsed.Header.Id);
        Assert.True(parsed.Header.HasAuthorityAnswer);
        Assert.False(parsed.Header.ResultTruncated);
        Assert.Equal((int)answer.Code, (int)parsed.Header.ResponseCode);
        Assert.Equal(name + ".", Assert.Single(parsed.Questions).QueryName.Value);
        Assert.Equal(RecordText.Of(answer.Answers), RecordText.Of(parsed.Answers));
        Assert.Equal(RecordText.Of(answer.Authority), RecordText.Of(parsed.Authorities));
        Assert.Equal(RecordText.Of(answer.Additional), RecordText.Of(parsed.Additionals));
        Assert.Single(parsed.Additionals.OfType<DnsClient.Protocol.Options.OptRecord>());
    }

    [Fact]
    public void A_refused_response_is_not_authoritative()
    {
        var (bytes, response) = Respond(Web, "example.com", RecordType.A);

        var parsed = Parsers.ArSoft(bytes);

        Assert.Equal(ReturnCode.Refused, parsed.ReturnCode);
        Assert.Equal(ReturnCode.Refused, response.Code);
        Assert.False(parsed.IsAuthoritiveAnswer);
        Assert.Empty(parsed.AnswerRecords);
        Assert.Equal(DomainName.Parse("example.com"), Assert.Single(parsed.Questions).Name);
    }

    [Fact]
    public void With_edns_the_response_has_an_opt_record_with_our_udp_size_and_the_asker_s_do_bit()
    {
        var (plain, _) = Respond(Web, "web.service.mesh", RecordType.A, opt: Opt(udpSize: 4096));
        var (dnssecOk, _) = Respond(Web, "web.service.mesh", RecordType.A, opt: Opt(udpSize: 4096, dnssecOk: true));

        var parsed = Parsers.ArSoft(plain);
        var withDo = Parsers.ArSoft(dnssecOk);

        Assert.True(parsed.IsEDnsEnabled);
        var opt = Assert.Single(parsed.AdditionalRecords.OfType<OptRecord>());
        Assert.Equal(OurUdpSize, opt.UdpPayloadSize);
        Assert.Equal(0, opt.Version);
        Assert.False(opt.IsDnsSecOk);
        Assert.True(Assert.Single(withDo.AdditionalRecords.OfType<OptRecord>()).IsDnsSecOk);
        Assert.Equal(2, parsed.AnswerRecords.Count);
    }

    [Fact]
    public void A_negative_response_with_edns_carries_the_soa_and_the_opt_record()
    {
        var (bytes, _) = Respond(Web, "nope.service.mesh", RecordType.A, opt: Opt());

        var parsed = Parsers.ArSoft(bytes);

        Assert.Equal(ReturnCode.NxDomain, parsed.ReturnCode);
        Assert.IsType<SoaRecord>(Assert.Single(parsed.AuthorityRecords));
        Assert.IsType<OptRecord>(Assert.Single(parsed.AdditionalRecords));
    }

    [Fact]
    public void Answer_names_are_compressed_against_the_question()
    {
        var zone = Many(10);

        var (bytes, response) = Respond(zone, "big.service.mesh", RecordType.A);

        // header, question (18 + 4), and ten A records of a 2-byte pointer, type, class, TTL, length and 4 bytes.
        Assert.Equal(12 + 22 + 10 * 16, bytes.Length);
        Assert.Equal(12 + 22, response.AnswerOffset);
        Assert.Equal(10, response.AnswerCount);
        Assert.Equal(16, response.RecordLength);
        Assert.True(response.Shuffles);
    }

    [Fact]
    public void Only_shuffled_answers_of_one_record_length_may_be_shuffled()
    {
        Assert.False(Respond(Web, "web.service.mesh", RecordType.Any).Response.Shuffles);
        Assert.False(Respond(Web, "_web._tcp.service.mesh", RecordType.Srv).Response.Shuffles);
        Assert.False(Respond(Web, "web.service.mesh", RecordType.Aaaa).Response.Shuffles);
        Assert.True(Respond(Web, "web.service.mesh", RecordType.A).Response.Shuffles);
    }

    [Fact]
    public void Srv_targets_are_written_uncompressed()
    {
        var zone = Zone(Registered("api:web-1", "web", "10.0.0.1", port: 8080), Registered("api:web-2", "web", "10.0.0.1", port: 8081));
        var target = Name("0a000001.addr.mesh");

        var (bytes, _) = Respond(zone, "_web._tcp.service.mesh", RecordType.Srv);

        Assert.Equal(2, Occurrences(bytes, target));
        Assert.Equal(
            ["_web._tcp.service.mesh. 7 srv 1 1 8080 0a000001.addr.mesh.", "_web._tcp.service.mesh. 7 srv 1 1 8081 0a000001.addr.mesh."],
            RecordText.Of(Parsers.ArSoft(bytes).AnswerRecords));
    }

    [Fact]
    public void An_answer_too_big_for_the_limit_is_truncated_within_it_and_still_parses()
    {
        var zone = Many(60);
        var answer = zone.Ask("_big._tcp.service.mesh", RecordType.Srv);

        var (bytes, response) = Respond(zone, "_big._tcp.service.mesh", RecordType.Srv);

        Assert.InRange(bytes.Length, 1, 512);
        Assert.True(response.Truncated);
        var parsed = Parsers.ArSoft(bytes);
        Assert.True(parsed.IsTruncated);
        Assert.InRange(parsed.AnswerRecords.Count, 1, 59);
        Assert.Equal(RecordText.Of(answer.Answers.Take(parsed.AnswerRecords.Count)), RecordText.Of(parsed.AnswerRecords));
        Assert.Empty(parsed.AuthorityRecords);
        Assert.Empty(parsed.AdditionalRecords);
        Assert.Equal(0, response.RecordLength);
    }

    [Fact]
    public void A_truncated_edns_response_keeps_its_opt_record_within_the_limit()
    {
        var zone = Many(60);

        var (bytes, response) = Respond(zone, "_big._tcp.service.mesh", RecordType.Srv, opt: Opt(udpSize: 512));

        Assert.InRange(bytes.Length, 1, 512);
        Assert.True(response.Truncated);
        var parsed = Parsers.ArSoft(bytes);
        Assert.True(parsed.IsTruncated);
        Assert.IsType<OptRecord>(Assert.Single(parsed.AdditionalRecords));
    }

    [Fact]
    public void A_bigger_edns_limit_takes_more_records()
    {
        var zone = Many(60);

        var (small, _) = Respond(zone, "_big._tcp.service.mesh", RecordType.Srv);
        var (large, response) = Respond(zone, "_big._tcp.service.mesh", RecordType.Srv, opt: Opt(udpSize: 4096));

        Assert.InRange(large.Length, 513, OurUdpSize);
        Assert.True(Parsers.ArSoft(large).AnswerRecords.Count > Parsers.ArSoft(small).AnswerRecords.Count);
        Assert.True(response.Truncated);
    }

    [Fact]
    public void Additional_records_that_do_not_fit_are_left_out_without_truncation()
    {
        var zone = Many(12);
        var answer = zone.Ask("_big._tcp.service.mesh", RecordType.Srv);

        var (bytes, response) = Respond(zone, "_big._tcp.service.mesh", RecordType.Srv);

        Assert.InRange(bytes.Length, 1, 512);
        Assert.False(response.Truncated);
        var parsed = Parsers.ArSoft(bytes);
        Assert.False(parsed.IsTruncated);
        Assert.Equal(RecordText.Of(answer.Answers), RecordText.Of(parsed.AnswerRecords));
        Assert.InRange(parsed.AdditionalRecords.Count, 1, 11);
        Assert.Equal(RecordText.Of(answer.Additional.Take(parsed.AdditionalRecords.Count)), RecordText.Of(parsed.AdditionalRecords));
    }

    [Fact]
    public void Patch_puts_in_the_asker_s_id_rd_bit_and_letter_case()
    {
        var zone = Many(3);
        var cached = ResponseFor(zone, Query("big.service.mesh", id: 1, rd: false));
        var message = Query("BiG.SeRvIcE.mEsH", id: 0xBEEF, rd: true);
        WireQuery.Read(message, out var query);
        var bytes = cached.Bytes.ToArray();

        ResponseWriter.Patch(bytes, message, query);

        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(bytes));
        Assert.Equal(0x01, bytes[2] & 0x01);
        Assert.Equal(message[12..query.NameEnd], bytes[12..query.NameEnd]);
        var parsed = Parsers.ArSoft(bytes);
        Assert.Equal(0xBEEF, parsed.TransactionID);
        Assert.True(parsed.IsRecursionDesired);
        Assert.Equal(["BiG", "SeRvIcE", "mEsH"], Assert.Single(parsed.Questions).Name.Labels);
        Assert.All(parsed.AnswerRecords, r => Assert.Equal(["BiG", "SeRvIcE", "mEsH"], r.Name.Labels));
        Assert.Equal(3, parsed.AnswerRecords.Count);
    }

    [Fact]
    public void Patch_leaves_the_rd_bit_clear_when_the_asker_did_not_set_it()
    {
        var (bytes, _) = Respond(Query("web.service.mesh", rd: false), Web.Ask("web.service.mesh", RecordType.A));

        Assert.Equal(0, bytes[2] & 0x01);
        Assert.False(Parsers.ArSoft(bytes).IsRecursionDesired);
    }

    [Fact]
    public void Shuffle_keeps_the_records_and_the_message_parses()
    {
        var zone = Many(8);
        var (bytes, response) = Respond(zone, "big.service.mesh", RecordType.A);
        var expected = RecordText.Of(Parsers.ArSoft(bytes).AnswerRecords).Order().ToArray();
        var orders = new HashSet<string>();

        for (var i = 0; i < 100; i++)
        {
            var copy = bytes.ToArray();
            ResponseWriter.Shuffle(copy, response);
            var records = RecordText.Of(Parsers.ArSoft(copy).AnswerRecords);
            Assert.Equal(expected, records.Order());
            Assert.Equal(bytes[..response.AnswerOffset], copy[..response.AnswerOffset]);
            orders.Add(string.Join(',', records));
        }

        // 100 shuffles of 8 records giving one order has a chance of (1/8!)^99.
        Assert.True(orders.Count > 1);
    }

    [Fact]
    public void Shuffle_with_edns_keeps_the_opt_record_in_place()
    {
        var zone = Many(5);
        var (bytes, response) = Respond(zone, "big.service.mesh", RecordType.A, opt: Opt());

        ResponseWriter.Shuffle(bytes, response);

        var parsed = Parsers.ArSoft(bytes);
        Assert.Equal(5, parsed.AnswerRecords.Count);
        Assert.Equal(OurUdpSize, Assert.Single(parsed.AdditionalRecords.OfType<OptRecord>()).UdpPayloadSize);
    }

    [Fact]
    public void Wire_names_are_lowercase_and_labels_read_back()
    {
        var wire = ResponseWriter.WireName(DomainName.Parse("Web.Service.MESH"));

        Assert.Equal(Name("web.service.mesh"), wire);
        Assert.Equal(["web", "service", "mesh"], ResponseWriter.Labels(wire));
        Assert.Empty(ResponseWriter.Labels([0]));
    }

    [Fact]
    public void A_hand_built_answer_of_every_record_type_round_trips()
    {
        var name = DomainName.Parse("x.mesh");
        var answer = new ZoneAnswer(ReturnCode.NoError,
            [
                new ARecord(name, 1, IPAddress.Parse("192.0.2.1")),
                new AaaaRecord(name, 2, IPAddress.Parse("2001:db8::1")),
                new CNameRecord(name, 3, DomainName.Parse("y.mesh")),
                new SrvRecord(name, 4, 10, 20, 30, DomainName.Parse("target.example")),
            ],
            [new SoaRecord(DomainName.Parse("mesh"), 5, DomainName.Parse("ns.mesh"), DomainName.Parse("hostmaster.mesh"), uint.MaxValue, 1, 2, 3, 4)],
            [new NsRecord(DomainName.Parse("mesh"), 6, DomainName.Parse("ns.mesh")), new ARecord(DomainName.Parse("ns.mesh"), 7, IPAddress.Loopback)]);

        var (bytes, _) = Respond(Query("x.mesh"), answer);

        var parsed = Parsers.ArSoft(bytes);
        Assert.Equal(RecordText.Of(answer.Answers), RecordText.Of(parsed.AnswerRecords));
        Assert.Equal(RecordText.Of(answer.Authority), RecordText.Of(parsed.AuthorityRecords));
        Assert.Equal(RecordText.Of(answer.Additional), RecordText.Of(parsed.AdditionalRecords));
        var client = Parsers.DnsClientNet(bytes);
        Assert.Equal(RecordText.Of(answer.Answers), RecordText.Of(client.Answers));
        Assert.Equal(RecordText.Of(answer.Authority), RecordText.Of(client.Authorities));
        Assert.Equal(RecordText.Of(answer.Additional), RecordText.Of(client.Additionals));
    }

    private static WireResponse ResponseFor(ZoneView zone, byte[] message)
    {
        WireQuery.Read(message, out var query);
        var name = DomainName.Parse(string.Join('.', ResponseWriter.Labels(message.AsSpan(12, query.NameEnd - 12))));
        return ResponseWriter.Answer(ResponseWriter.WireName(name), query.Type, zone.Ask(name.ToString(), (RecordType)query.Type), query, OurUdpSize, 512);
    }

    private static int Occurrences(byte[] haystack, byte[] needle)
    {
        var count = 0;
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) count++;
        return count;
    }
}
