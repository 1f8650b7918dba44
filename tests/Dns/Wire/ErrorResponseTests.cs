using System.Buffers.Binary;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Wire;
using static Mesh.Dns.Tests.Wire.QueryBytes;

namespace Mesh.Dns.Tests.Wire;

/// <summary><see cref="ResponseWriter.Error"/>: FORMERR, NOTIMP, BADVERS and the empty truncated response, with no records.</summary>
public sealed class ErrorResponseTests
{
    private const ushort OurUdpSize = 1232;

    private static byte[] Error(byte[] message, int code, bool truncated = false)
    {
        WireQuery.Read(message, out var query);
        var destination = new byte[512];
        var length = ResponseWriter.Error(destination, message, query, code, OurUdpSize, truncated);
        return destination[..length];
    }

    [Fact]
    public void A_format_error_without_a_question_read_has_an_empty_question_section()
    {
        byte[] message = [.. Header(id: 0xABCD, questions: 2), .. Question("web.service.mesh"), .. Question("web.service.mesh")];
        Assert.Equal(QueryStatus.FormatError, WireQuery.Read(message, out _));

        var bytes = Error(message, (int)ReturnCode.FormatError);

        Assert.Equal(12, bytes.Length);
        var parsed = Parsers.ArSoft(bytes);
        Assert.False(parsed.IsQuery);
        Assert.Equal(0xABCD, parsed.TransactionID);
        Assert.True(parsed.IsRecursionDesired);
        Assert.False(parsed.IsAuthoritiveAnswer);
        Assert.Equal(ReturnCode.FormatError, parsed.ReturnCode);
        Assert.Empty(parsed.Questions);
        Assert.Empty(parsed.AnswerRecords);
        Assert.Empty(parsed.AdditionalRecords);
    }

    [Fact]
    public void A_format_error_after_the_question_echoes_it()
    {
        byte[] message = [.. Header(additional: 1), .. Question("Web.Service.Mesh")];

        var parsed = Parsers.ArSoft(Error(message, (int)ReturnCode.FormatError));

        Assert.Equal(ReturnCode.FormatError, parsed.ReturnCode);
        var question = Assert.Single(parsed.Questions);
        Assert.Equal(["Web", "Service", "Mesh"], question.Name.Labels);
        Assert.Equal(RecordType.A, question.RecordType);
    }

    [Fact]
    public void A_class_that_is_not_implemented_is_notimp_with_the_question_echoed()
    {
        var message = Query("version.bind", cls: ClassCh);
        Assert.Equal(QueryStatus.NotImplemented, WireQuery.Read(message, out _));

        var parsed = Parsers.ArSoft(Error(message, (int)ReturnCode.NotImplemented));

        Assert.Equal(ReturnCode.NotImplemented, parsed.ReturnCode);
        var question = Assert.Single(parsed.Questions);
        Assert.Equal(DomainName.Parse("version.bind"), question.Name);
        Assert.Equal(RecordClass.Chaos, question.RecordClass);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void An_opcode_that_is_not_implemented_is_notimp_with_the_opcode_echoed(int opcode)
    {
        byte[] message = [.. Header(id: 7, opcode: opcode), .. Question("mesh", 6)];
        Assert.Equal(QueryStatus.NotImplemented, WireQuery.Read(message, out _));

        var bytes = Error(message, (int)ReturnCode.NotImplemented);

        Assert.Equal(opcode, (bytes[2] >> 3) & 0x0F);
        Assert.Equal((int)ReturnCode.NotImplemented, bytes[3] & 0x0F);
        Assert.Equal(0x80, bytes[2] & 0x80);
        Assert.Equal(7, BinaryPrimitives.ReadUInt16BigEndian(bytes));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(4)));
    }

    [Fact]
    public void Bad_version_is_extended_rcode_16_header_0_and_opt_1()
    {
        var message = Query("web.service.mesh", opt: Opt(udpSize: 4096, version: 1, dnssecOk: true));
        Assert.Equal(QueryStatus.BadVersion, WireQuery.Read(message, out _));

        var bytes = Error(message, (int)ReturnCode.BadVersion);

        Assert.Equal(0, bytes[3] & 0x0F);
        var optAt = bytes.Length - 11;
        Assert.Equal(0, bytes[optAt]);
        Assert.Equal(TypeOpt, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(optAt + 1)));
        Assert.Equal(1, bytes[optAt + 5]);
        Assert.Equal(0, bytes[optAt + 6]);
        var parsed = Parsers.ArSoft(bytes);
        Assert.Equal(ReturnCode.BadVersion, parsed.ReturnCode);
        var opt = Assert.IsType<OptRecord>(Assert.Single(parsed.AdditionalRecords));
        Assert.Equal(OurUdpSize, opt.UdpPayloadSize);
        Assert.Equal(0, opt.Version);
        Assert.True(opt.IsDnsSecOk);
        Assert.Single(parsed.Questions);
    }

    [Fact]
    public void An_empty_truncated_response_echoes_the_question_and_sets_tc()
    {
        var message = Query("web.service.mesh", opt: Opt());

        var parsed = Parsers.ArSoft(Error(message, 0, truncated: true));

        Assert.True(parsed.IsTruncated);
        Assert.Equal(ReturnCode.NoError, parsed.ReturnCode);
        Assert.Single(parsed.Questions);
        Assert.Empty(parsed.AnswerRecords);
        Assert.IsType<OptRecord>(Assert.Single(parsed.AdditionalRecords));
    }

    [Fact]
    public void An_error_response_is_also_read_by_dnsclient()
    {
        var message = Query("version.bind", cls: ClassCh);

        var parsed = Parsers.DnsClientNet(Error(message, (int)ReturnCode.NotImplemented));

        Assert.Equal(4, (int)parsed.Header.ResponseCode);
        Assert.Equal("version.bind.", Assert.Single(parsed.Questions).QueryName.Value);
    }
}
