using System.Buffers.Binary;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>
/// Queries Mesh does not serve get the error the RFCs name, over UDP and TCP: NOTIMP for other classes and
/// opcodes, FORMERR for anything but one question, BADVERS for an unknown EDNS version; datagrams that are not
/// queries get nothing.
/// </summary>
public sealed class ProtocolErrorTests
{
    // One receive thread: a response to a datagram comes before the response to the next one.
    private static readonly Dictionary<string, string?> Settings = new() { ["UdpWorkers"] = "1" };

    private static async Task<DnsHarness> StartAsync()
    {
        var dns = await DnsHarness.StartAsync(Settings);
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        return dns;
    }

    private static async Task<RawMessage> AskAsync(DnsHarness dns, byte[] query, bool tcp)
    {
        if (tcp) return await TcpDns.ExchangeAsync(dns.EndPoint, query, Lookups.Ct);
        using var udp = new UdpDnsSocket(dns.EndPoint);
        return udp.Exchange(query);
    }

    /// <summary>
    /// Sends <paramref name="datagram"/>, then a valid query with id <paramref name="nextId"/>; the response to the
    /// datagram if it got one (it comes first: one receive thread).
    /// </summary>
    private static RawMessage? SendThenProbe(UdpDnsSocket udp, byte[] datagram, ushort nextId)
    {
        udp.Send(datagram);
        udp.Send(RawDns.Query("web.service.mesh", RawDns.TypeA, nextId));
        var first = udp.Receive(UdpDnsSocket.DefaultWait) ?? throw new TimeoutException("no response to a valid query");
        if (RawDns.IdOf(first) == nextId)
        {
            Assert.Equal("10.0.0.1", Assert.Single(RawMessage.Parse(first).Addresses).ToString());
            return null;
        }
        var next = udp.Receive(UdpDnsSocket.DefaultWait) ?? throw new TimeoutException("no response to a valid query");
        Assert.Equal(nextId, RawDns.IdOf(next));
        return RawMessage.Parse(first);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_query_of_class_chaos_is_not_implemented(bool tcp)
    {
        await using var dns = await StartAsync();
        var response = await AskAsync(dns, RawDns.Query("web.service.mesh", RawDns.TypeA, 0x0c0c, cls: RawDns.ClassCh), tcp);
        Assert.True(response.IsResponse);
        Assert.Equal(0x0c0c, response.Id);
        Assert.Equal(RawDns.NotImp, response.Rcode);
        Assert.Empty(response.Answers);
        var question = Assert.Single(response.Questions);
        Assert.Equal(("web.service.mesh.", RawDns.ClassCh), (question.Name, question.Class));
    }

    [Theory]
    [InlineData(false, 4)] // NOTIFY
    [InlineData(true, 4)]
    [InlineData(false, 5)] // UPDATE
    [InlineData(true, 5)]
    [InlineData(false, 2)] // STATUS
    [InlineData(false, 15)]
    public async Task A_message_with_another_opcode_is_not_implemented(bool tcp, byte opcode)
    {
        await using var dns = await StartAsync();
        var response = await AskAsync(dns, RawDns.Query("mesh", RawDns.TypeSoa, 0x0d0d, opcode: opcode), tcp);
        Assert.True(response.IsResponse);
        Assert.Equal(0x0d0d, response.Id);
        Assert.Equal(opcode, response.Opcode);
        Assert.Equal(RawDns.NotImp, response.Rcode);
        Assert.Empty(response.Answers);
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    public async Task A_query_without_exactly_one_question_is_a_format_error(bool tcp, int questions)
    {
        await using var dns = await StartAsync();
        var response = await AskAsync(dns, RawDns.Query("web.service.mesh", RawDns.TypeA, 0x0e0e, questionCount: questions), tcp);
        Assert.True(response.IsResponse);
        Assert.Equal(0x0e0e, response.Id);
        Assert.Equal(RawDns.FormErr, response.Rcode);
        Assert.Empty(response.Answers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unknown_edns_version_is_answered_badvers_in_the_opt_record(bool tcp)
    {
        await using var dns = await StartAsync();
        var response = await AskAsync(dns, RawDns.Query("web.service.mesh", RawDns.TypeA, 0x0f0f, ednsSize: 1232, ednsVersion: 1), tcp);
        Assert.True(response.IsResponse);
        Assert.Equal(0x0f0f, response.Id);
        var opt = Assert.IsType<RawRecord>(response.Opt);
        // BADVERS is 16: header RCODE 0, extended RCODE 1 in the OPT TTL's top byte; the server speaks version 0.
        Assert.Equal(0, response.HeaderRcode);
        Assert.Equal(1u, opt.Ttl >> 24);
        Assert.Equal(0u, (opt.Ttl >> 16) & 0xFF);
        Assert.Equal(RawDns.BadVers, response.Rcode);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public async Task Records_in_the_answer_or_authority_section_of_a_udp_query_are_a_format_error()
    {
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        foreach (var (offset, what) in new[] { (6, "answer"), (8, "authority"), (10, "additional (two)") })
        {
            var query = RawDns.Query("web.service.mesh", RawDns.TypeA, 0x1010);
            BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(offset), 2);
            var response = udp.Exchange(query);
            Assert.True(RawDns.FormErr == response.Rcode, $"{what}: rcode {response.Rcode}");
        }
    }

    [Fact]
    public async Task A_compression_pointer_in_the_question_is_a_format_error()
    {
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        // "web" then a pointer to offset 12 (itself): a loop if followed.
        byte[] query = [0x12, 0x12, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'w', (byte)'e', (byte)'b', 0xC0, 12, 0, 1, 0, 1];
        var response = udp.Exchange(query);
        Assert.Equal(RawDns.FormErr, response.Rcode);
    }

    [Fact]
    public async Task A_name_longer_than_255_bytes_is_a_format_error()
    {
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".mesh";
        var response = udp.Exchange(RawDns.Query(name, RawDns.TypeA, 0x1111));
        Assert.Equal(RawDns.FormErr, response.Rcode);
    }

    [Fact]
    public async Task A_4000_byte_udp_query_whose_name_runs_on_is_a_format_error_or_dropped()
    {
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        // One "question" of 4000 bytes of labels: far past the 255-byte name limit.
        var query = new List<byte>(RawDns.Query(".", RawDns.TypeA, 0x4000)[..RawDns.HeaderLength]);
        while (query.Count < 4000 - 64) query.AddRange([63, .. Enumerable.Repeat((byte)'a', 63)]);
        query.AddRange([0, 0, 1, 0, 1]);
        var response = SendThenProbe(udp, [.. query], 0x4001);
        if (response is not null) Assert.Equal(RawDns.FormErr, response.Rcode);
    }

    [Fact]
    public async Task A_4000_byte_udp_query_with_bytes_after_its_question_is_a_format_error_or_dropped()
    {
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        byte[] query = [.. RawDns.Query("web.service.mesh", RawDns.TypeA, 0x4002), .. new byte[4000 - 34]];
        Assert.Equal(4000, query.Length);
        var response = SendThenProbe(udp, query, 0x4003);
        if (response is not null) Assert.Equal(RawDns.FormErr, response.Rcode);
    }

    [Fact]
    public async Task A_4000_byte_udp_query_padded_inside_its_opt_record_is_answered_or_dropped_without_harm()
    {
        // EDNS padding (RFC 7830) makes a well-formed query of any size: answering it normally is fine, as is dropping it.
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var query = RawDns.Query("web.service.mesh", RawDns.TypeA, 0x4004, ednsSize: 1232, ednsPadding: 4000 - 49);
        Assert.Equal(4000, query.Length);
        var response = SendThenProbe(udp, query, 0x4005);
        if (response is not null)
        {
            Assert.Equal(0x4004, response.Id);
            Assert.InRange(response.Length, RawDns.HeaderLength, 1232);
            Assert.True(response.Rcode is RawDns.NoError or RawDns.FormErr, $"rcode {response.Rcode}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(11)]
    public async Task A_datagram_shorter_than_a_header_gets_no_answer(int length)
    {
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var datagram = RawDns.Query("web.service.mesh", RawDns.TypeA, 0x0505)[..length];
        Assert.Null(SendThenProbe(udp, datagram, 0x0506));
    }

    [Fact]
    public async Task A_response_sent_to_the_server_gets_no_answer()
    {
        // Answering responses could loop two servers into each other, or reflect spoofed traffic.
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var response = udp.Exchange(RawDns.Query("web.service.mesh", RawDns.TypeA, 0x0707));
        var bytes = RawDns.Query("web.service.mesh", RawDns.TypeA, 0x0708);
        bytes[2] |= 0x80;
        Assert.Null(SendThenProbe(udp, bytes, 0x0709));
        Assert.True(response.IsResponse);
    }
}
