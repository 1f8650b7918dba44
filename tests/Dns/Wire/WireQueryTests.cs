using Mesh.Dns.Wire;
using static Mesh.Dns.Tests.Wire.QueryBytes;

namespace Mesh.Dns.Tests.Wire;

/// <summary><see cref="WireQuery.Read"/>: what the UDP path makes of a datagram from its header, question and OPT record.</summary>
public sealed class WireQueryTests
{
    private static (QueryStatus Status, WireQuery Query) Read(byte[] message)
    {
        var status = WireQuery.Read(message, out var query);
        return (status, query);
    }

    [Fact]
    public void A_plain_query_is_read_with_its_id_rd_bit_name_type_and_class()
    {
        var message = Query("Web.Service.Mesh", TypeSrv, id: 0xBEEF);

        var (status, query) = Read(message);

        Assert.Equal(QueryStatus.Ok, status);
        Assert.Equal(0xBEEF, query.Id);
        Assert.Equal(0, query.Opcode);
        Assert.True(query.RecursionDesired);
        Assert.Equal(TypeSrv, query.Type);
        Assert.Equal(ClassIn, query.Class);
        Assert.True(query.HasQuestion);
        Assert.Equal(12 + 18, query.NameEnd);
        Assert.Equal(message.Length, query.QuestionEnd);
        Assert.Equal(Name("Web.Service.Mesh"), message[12..query.NameEnd]);
        Assert.False(query.Edns);
        Assert.False(query.DnssecOk);
    }

    [Fact]
    public void The_rd_bit_is_read_as_sent()
    {
        Assert.False(Read(Query("web.service.mesh", rd: false)).Query.RecursionDesired);
    }

    [Fact]
    public void An_opt_record_gives_edns_the_udp_size_and_the_do_bit()
    {
        var message = Query("web.service.mesh", opt: Opt(udpSize: 4096, dnssecOk: true));

        var (status, query) = Read(message);

        Assert.Equal(QueryStatus.Ok, status);
        Assert.True(query.Edns);
        Assert.Equal(4096, query.UdpSize);
        Assert.True(query.DnssecOk);
        Assert.Equal(message.Length - 11, query.QuestionEnd);
    }

    [Fact]
    public void An_opt_record_with_options_is_read()
    {
        // a 4-byte EDNS padding option (code 12)
        var (status, query) = Read(Query("web.service.mesh", opt: Opt(udpSize: 1400, rdata: [0, 12, 0, 4, 0, 0, 0, 0])));

        Assert.Equal(QueryStatus.Ok, status);
        Assert.Equal(1400, query.UdpSize);
        Assert.False(query.DnssecOk);
    }

    [Fact]
    public void The_root_name_is_a_question()
    {
        var (status, query) = Read(Query("."));

        Assert.Equal(QueryStatus.Ok, status);
        Assert.Equal(13, query.NameEnd);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(11)]
    public void A_datagram_shorter_than_a_header_is_dropped(int length)
    {
        Assert.Equal(QueryStatus.Drop, Read(Query("web.service.mesh")[..length]).Status);
    }

    [Fact]
    public void A_response_is_dropped()
    {
        var message = Query("web.service.mesh");
        message[2] |= 0x80;

        Assert.Equal(QueryStatus.Drop, Read(message).Status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_question_count_other_than_one_is_a_format_error(ushort questions)
    {
        byte[] message = [.. Header(questions: questions), .. Question("web.service.mesh"), .. Question("web.service.mesh")];

        Assert.Equal(QueryStatus.FormatError, Read(message).Status);
    }

    [Fact]
    public void Answer_or_authority_records_in_a_query_are_a_format_error()
    {
        Assert.Equal(QueryStatus.FormatError, Read([.. Header(answers: 1), .. Question("web.service.mesh")]).Status);
        Assert.Equal(QueryStatus.FormatError, Read([.. Header(authority: 1), .. Question("web.service.mesh")]).Status);
    }

    [Fact]
    public void More_than_one_additional_record_is_a_format_error()
    {
        Assert.Equal(QueryStatus.FormatError, Read([.. Header(additional: 2), .. Question("web.service.mesh"), .. Opt(), .. Opt()]).Status);
    }

    [Fact]
    public void A_compression_pointer_in_the_question_is_a_format_error()
    {
        byte[] message = [.. Header(), 3, (byte)'w', (byte)'e', (byte)'b', 0xC0, 12, .. UShort(TypeA), .. UShort(ClassIn)];

        Assert.Equal(QueryStatus.FormatError, Read(message).Status);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(20)]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(33)]
    public void A_question_cut_short_is_a_format_error(int length)
    {
        // the name runs to byte 30, the type and class to 34
        var message = Query("web.service.mesh");

        Assert.Equal(QueryStatus.FormatError, Read(message[..length]).Status);
    }

    [Fact]
    public void A_name_without_its_terminating_zero_is_a_format_error()
    {
        Assert.Equal(QueryStatus.FormatError, Read([.. Header(), 3, (byte)'w', (byte)'e', (byte)'b']).Status);
    }

    [Fact]
    public void A_label_longer_than_63_is_a_format_error()
    {
        var ok = new string('a', 63) + ".mesh";
        var tooLong = new string('a', 64) + ".mesh";

        Assert.Equal(QueryStatus.Ok, Read(Query(ok)).Status);
        Assert.Equal(QueryStatus.FormatError, Read(Query(tooLong)).Status);
    }

    [Fact]
    public void A_name_longer_than_255_bytes_is_a_format_error()
    {
        // four labels of 63 (4 × 64 bytes) and the root: 257 bytes; three of 63 and one of 61: 255.
        var label = new string('a', 63);
        var longest = string.Join('.', label, label, label, new string('b', 61));
        var tooLong = string.Join('.', label, label, label, new string('b', 62));

        Assert.Equal(255, Name(longest).Length);
        Assert.Equal(QueryStatus.Ok, Read(Query(longest)).Status);
        Assert.Equal(QueryStatus.FormatError, Read(Query(tooLong)).Status);
    }

    [Fact]
    public void A_truncated_opt_record_is_a_format_error()
    {
        var message = Query("web.service.mesh", opt: Opt());

        for (var cut = 1; cut <= 11; cut++)
            Assert.Equal(QueryStatus.FormatError, Read(message[..^cut]).Status);
    }

    [Fact]
    public void An_opt_record_whose_rdata_runs_past_the_end_is_a_format_error()
    {
        var message = Query("web.service.mesh", opt: Opt(rdata: [0, 12, 0, 4, 0, 0, 0, 0]));

        Assert.Equal(QueryStatus.FormatError, Read(message[..^1]).Status);
    }

    [Fact]
    public void An_additional_record_that_is_not_opt_is_a_format_error()
    {
        byte[] tsigLike = [0, .. UShort(250), .. UShort(255), 0, 0, 0, 0, 0, 0];
        byte[] optNotAtRoot = [1, (byte)'x', 0, .. UShort(TypeOpt), .. UShort(1232), 0, 0, 0, 0, 0, 0];

        Assert.Equal(QueryStatus.FormatError, Read([.. Header(additional: 1), .. Question("web.service.mesh"), .. tsigLike]).Status);
        Assert.Equal(QueryStatus.FormatError, Read([.. Header(additional: 1), .. Question("web.service.mesh"), .. optNotAtRoot]).Status);
    }

    [Fact]
    public void A_format_error_after_the_question_keeps_the_question_to_echo()
    {
        var (status, query) = Read([.. Header(additional: 1), .. Question("web.service.mesh")]);

        Assert.Equal(QueryStatus.FormatError, status);
        Assert.True(query.HasQuestion);
        Assert.Equal(0x1234, query.Id);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(15)]
    public void An_opcode_other_than_query_is_not_implemented(int opcode)
    {
        byte[] message = [.. Header(opcode: opcode), .. Question("web.service.mesh")];

        var (status, query) = Read(message);

        Assert.Equal(QueryStatus.NotImplemented, status);
        Assert.Equal(opcode, query.Opcode);
        Assert.Equal(0x1234, query.Id);
    }

    [Theory]
    [InlineData(ClassCh)]
    [InlineData((ushort)4)]
    [InlineData((ushort)255)]
    public void A_class_other_than_in_is_not_implemented(ushort cls)
    {
        var (status, query) = Read(Query("version.bind", cls: cls));

        Assert.Equal(QueryStatus.NotImplemented, status);
        Assert.True(query.HasQuestion);
        Assert.Equal(cls, query.Class);
    }

    [Fact]
    public void An_edns_version_other_than_0_is_bad_version_with_edns_kept()
    {
        var (status, query) = Read(Query("web.service.mesh", opt: Opt(udpSize: 4096, version: 1, dnssecOk: true)));

        Assert.Equal(QueryStatus.BadVersion, status);
        Assert.True(query.Edns);
        Assert.True(query.DnssecOk);
        Assert.True(query.HasQuestion);
    }

    [Fact]
    public void Bad_version_comes_before_a_class_that_is_not_implemented()
    {
        Assert.Equal(QueryStatus.BadVersion, Read(Query("version.bind", cls: ClassCh, opt: Opt(version: 1))).Status);
    }

    [Theory]
    [InlineData(null, 1232, 512)]
    [InlineData(null, 4096, 512)]
    [InlineData(0, 1232, 512)]
    [InlineData(100, 1232, 512)]
    [InlineData(512, 1232, 512)]
    [InlineData(1000, 1232, 1000)]
    [InlineData(1232, 1232, 1232)]
    [InlineData(4096, 1232, 1232)]
    [InlineData(65535, 4096, 4096)]
    public void The_udp_limit_is_512_without_edns_else_the_asker_s_size_within_512_and_ours(int? askerSize, int ours, int expected)
    {
        var message = askerSize is { } size ? Query("web.service.mesh", opt: Opt(udpSize: (ushort)size)) : Query("web.service.mesh");

        WireQuery.Read(message, out var query);

        Assert.Equal(expected, query.UdpLimit(ours));
    }
}
