using System.Buffers.Binary;
using System.Net.Sockets;
using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>
/// The TCP listener under garbage, lies about lengths, maximum-size messages and connections dropped mid-message:
/// whatever it sends back is a response to what was framed, and afterwards TCP and UDP still answer.
/// </summary>
public sealed class TcpAbuseTests
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("MESH_DNS_FUZZ_SEED"), out var seed) ? seed : 20_250_611;

    private static async Task<DnsHarness> StartAsync()
    {
        var dns = await DnsHarness.StartAsync(new Dictionary<string, string?> { ["RateLimit:ResponsesPerSecond"] = "0" });
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1");
        return dns;
    }

    private static CancellationTokenSource Timeout()
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(Lookups.Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(15));
        return cts;
    }

    private static async Task AssertStillServingAsync(DnsHarness dns)
    {
        var raw = await TcpDns.ExchangeAsync(dns.EndPoint, RawDns.Query("web.service.mesh", RawDns.TypeA, 0x5151), Lookups.Ct);
        Assert.Equal("10.0.0.1", Assert.Single(raw.Addresses).ToString());
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("web.service.mesh", QueryType.A, tcp: true)));
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(await dns.QueryAsync("web.service.mesh", QueryType.A)));
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> on a new connection, completes a message it leaves unfinished (zeros), then asks
    /// a valid query. Reads until every message got its response or the server closes the connection: each response
    /// must answer one of the messages sent (RFC 7766 lets them come in any order). Returns how many of the messages
    /// in <paramref name="bytes"/> were answered.
    /// </summary>
    private static async Task<int> SendAndCheckAsync(DnsHarness dns, byte[] bytes, string what)
    {
        var (answered, hung) = await SendAndCollectAsync(dns, bytes, what, Timeout());
        if (hung) throw new Xunit.Sdk.XunitException($"the connection neither answered every message nor closed: {what}, seed {Seed}: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 96)))}");
        return answered;
    }

    /// <summary>
    /// <see cref="SendAndCheckAsync"/>, collecting until <paramref name="window"/> is cancelled: then the connection
    /// is reported hung (neither answered everything nor closed) instead of failing.
    /// </summary>
    private static async Task<(int Answered, bool Hung)> SendAndCollectAsync(DnsHarness dns, byte[] bytes, string what, CancellationTokenSource window)
    {
        var stream = new List<byte>(bytes);
        var frames = new List<byte[]>();
        for (var pos = 0; pos < stream.Count;)
        {
            while (stream.Count - pos < 2) stream.Add(0);
            var length = BinaryPrimitives.ReadUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(stream)[pos..]);
            while (stream.Count - pos - 2 < length) stream.Add(0);
            frames.Add([.. stream.GetRange(pos + 2, length)]);
            pos += 2 + length;
        }
        var pending = frames.Select(f => f.Length >= 2 ? (int)RawDns.IdOf(f) : -1).ToList();
        var sentinelId = (ushort)Enumerable.Range(0xFEED, 100).First(id => !pending.Contains(id));
        var sentinel = RawDns.Query("web.service.mesh", RawDns.TypeA, sentinelId);
        stream.AddRange([(byte)(sentinel.Length >> 8), (byte)sentinel.Length, .. sentinel]);

        using var timeout = window;
        using var socket = await TcpDns.ConnectAsync(dns.EndPoint, Lookups.Ct);
        await TcpDns.SendRawAsync(socket, stream.ToArray(), Lookups.Ct);
        var answered = 0;
        var sentinelAnswered = false;
        while (!sentinelAnswered || answered < frames.Count)
        {
            string Context() => $"{what}, seed {Seed}: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 96)))}";
            byte[]? message;
            try
            {
                message = await TcpDns.ReceiveAsync(socket, timeout.Token);
            }
            catch (OperationCanceledException) when (!Lookups.Ct.IsCancellationRequested)
            {
                return (answered, true);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }
            if (message is null) break;
            RawMessage response;
            try
            {
                response = RawMessage.Parse(message);
            }
            catch (FormatException ex)
            {
                throw new Xunit.Sdk.XunitException($"a malformed response ({ex.Message}) {Convert.ToHexString(message)}: {Context()}");
            }
            if (!response.IsResponse) throw new Xunit.Sdk.XunitException($"QR is not set in {Convert.ToHexString(message)}: {Context()}");
            if (response.Id == sentinelId && !sentinelAnswered)
            {
                if (response.Addresses.Count != 1 || response.Addresses[0].ToString() != "10.0.0.1")
                    throw new Xunit.Sdk.XunitException($"a valid query after the messages was answered wrong ({response.Rcode}): {Context()}");
                sentinelAnswered = true;
                continue;
            }
            var at = pending.IndexOf(response.Id);
            if (at < 0) throw new Xunit.Sdk.XunitException($"a response with id {response.Id}, which no message sent had: {Context()}");
            pending.RemoveAt(at);
            answered++;
        }
        return (answered, false);
    }

    /// <summary>Random, framed-random and mutated messages, one connection each, all at once.</summary>
    private static List<(string What, byte[] Bytes)> TcpGarbage()
    {
        var random = new Random(Seed);
        var cases = new List<(string, byte[])>();
        for (var i = 0; i < 150; i++)
        {
            var garbage = new byte[random.Next(0, 601)];
            random.NextBytes(garbage);
            cases.Add(($"garbage {i}", garbage));
        }
        // Correctly framed garbage: the server reads each message whole, then must cope with what is inside.
        for (var i = 0; i < 150; i++)
        {
            var body = new byte[random.Next(0, 601)];
            random.NextBytes(body);
            if (i % 2 == 0 && body.Length >= RawDns.HeaderLength)
            {
                // Looks like a query header: more of them get past the parser.
                body[2] &= 0x07;
                body[4] = 0;
                body[5] = 1;
            }
            cases.Add(($"framed garbage {i}", [(byte)(body.Length >> 8), (byte)body.Length, .. body]));
        }
        // Mutated valid queries, each framed, a valid one after it.
        var valid = RawDns.Query("_web._tcp.service.mesh", RawDns.TypeSrv, 0x6161, ednsSize: 1232);
        for (var i = 0; i < 200; i++)
        {
            var mutated = (byte[])valid.Clone();
            for (var m = random.Next(1, 4); m > 0; m--) mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            cases.Add(($"mutated query {i}", [(byte)(mutated.Length >> 8), (byte)mutated.Length, .. mutated, (byte)(valid.Length >> 8), (byte)valid.Length, .. valid]));
        }
        return cases;
    }

    [Fact]
    public async Task Random_garbage_on_tcp_connections_gets_only_well_formed_responses_to_what_it_framed_and_the_listener_keeps_answering()
    {
        // Every connection at once; each is read until it answered everything, closed, or a few seconds passed
        // (a connection the server stopped reading is another test's subject).
        await using var dns = await StartAsync();
        var results = await Task.WhenAll(TcpGarbage().Select(c =>
        {
            var window = CancellationTokenSource.CreateLinkedTokenSource(Lookups.Ct);
            window.CancelAfter(TimeSpan.FromSeconds(3));
            return SendAndCollectAsync(dns, c.Bytes, c.What, window);
        }));

        Assert.True(results.Sum(r => r.Answered) > 0, $"seed {Seed}: nothing framed was answered");
        Assert.Contains(results, r => !r.Hung);
        await AssertStillServingAsync(dns);
    }

    [Fact]
    public async Task A_tcp_message_that_cannot_be_parsed_gets_formerr_or_a_closed_connection_never_a_hung_one()
    {
        await using var dns = await StartAsync();
        foreach (var bytes in new byte[][] { [0x00, 0x03, 0x01, 0xFF, 0x03], [0x00, 0x0E, 0x12, 0x34, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0xAA, 0xAA] })
            await SendAndCheckAsync(dns, bytes, "an unparseable message");
    }

    [Fact]
    public async Task Mutated_queries_on_tcp_get_well_formed_responses_or_a_closed_connection()
    {
        // The strict form, run where the server parses each message: each connection answers everything or closes.
        await using var dns = await StartAsync();
        var random = new Random(Seed);
        var valid = RawDns.Query("web.service.mesh", RawDns.TypeA, 0x6262, ednsSize: 1232);
        var answered = 0;
        for (var i = 0; i < 100; i++)
        {
            var mutated = (byte[])valid.Clone();
            // Flips in the header flags, type, class and the OPT record only: the name stays parseable.
            int[] positions = [2, 3, valid.Length - 15, valid.Length - 14, valid.Length - 13, valid.Length - 12, valid.Length - 7, valid.Length - 5];
            mutated[positions[random.Next(positions.Length)]] ^= (byte)(1 << random.Next(8));
            answered += await SendAndCheckAsync(dns, [(byte)(mutated.Length >> 8), (byte)mutated.Length, .. mutated], $"mutated query {i}");
        }
        Assert.True(answered > 0, $"seed {Seed}: nothing was answered");
        await AssertStillServingAsync(dns);
    }

    [Fact]
    public async Task A_length_prefix_longer_than_the_data_then_a_close_leaves_the_listener_answering()
    {
        await using var dns = await StartAsync();
        using var timeout = Timeout();
        var query = RawDns.Query("web.service.mesh", RawDns.TypeA, 0x7171);
        byte[][] lies = [[0x01, 0x00, .. query], [0xFF, 0xFF, .. query], [0xFF, 0xFF], [0x00], [0x00, (byte)(query.Length + 1), .. query], []];
        for (var i = 0; i < 60; i++)
        {
            using var socket = await TcpDns.ConnectAsync(dns.EndPoint, timeout.Token);
            await TcpDns.SendRawAsync(socket, lies[i % lies.Length], timeout.Token);
            // Two in three closed with a FIN, the rest reset.
            if (i % 3 != 0) socket.LingerState = new LingerOption(false, 0);
        }
        await AssertStillServingAsync(dns);
        // The same lie on a connection kept open: once the announced length arrives, the message is read as one.
        Assert.Equal(1, await SendAndCheckAsync(dns, [0x00, (byte)(query.Length + 1), .. query], "a prefix one byte longer than its query"));
    }

    [Fact]
    public async Task A_65535_byte_message_is_answered_or_dropped_and_the_listener_keeps_answering()
    {
        await using var dns = await StartAsync();

        // A well-formed query padded to the largest message TCP can frame.
        var padded = RawDns.Query("web.service.mesh", RawDns.TypeA, 0x8181, ednsSize: 1232, ednsPadding: 65535 - 49);
        Assert.Equal(65535, padded.Length);
        Assert.InRange(await SendAndCheckAsync(dns, [0xFF, 0xFF, .. padded], "a padded 65535-byte query"), 0, 1);

        // 65535 random bytes with a query header.
        var random = new Random(Seed);
        var garbage = new byte[65535];
        random.NextBytes(garbage);
        RawDns.Query("web.service.mesh", RawDns.TypeA, 0x8282).AsSpan(0, RawDns.HeaderLength).CopyTo(garbage);
        Assert.InRange(await SendAndCheckAsync(dns, [0xFF, 0xFF, .. garbage], "65535 random bytes"), 0, 1);

        // The same on a connection that then asks properly.
        using var timeout = Timeout();
        using var socket = await TcpDns.ConnectAsync(dns.EndPoint, timeout.Token);
        await TcpDns.SendAsync(socket, padded, timeout.Token);
        var first = await TcpDns.ReceiveAsync(socket, timeout.Token);
        if (first is not null)
        {
            Assert.Equal(0x8181, RawMessage.Parse(first).Id);
            await TcpDns.SendAsync(socket, RawDns.Query("web.service.mesh", RawDns.TypeA, 0x8383), timeout.Token);
            var second = RawMessage.Parse(await TcpDns.ReceiveAsync(socket, timeout.Token) ?? throw new Xunit.Sdk.XunitException("closed after answering a 65535-byte query"));
            Assert.Equal("10.0.0.1", Assert.Single(second.Addresses).ToString());
        }
        await AssertStillServingAsync(dns);
    }

    [Fact]
    public async Task Many_connections_closed_or_reset_mid_message_leave_the_listener_answering()
    {
        await using var dns = await StartAsync();
        using var timeout = Timeout();
        var query = RawDns.Query("web.service.mesh", RawDns.TypeA, 0x9191);
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                var socket = await TcpDns.ConnectAsync(dns.EndPoint, timeout.Token);
                sockets.Add(socket);
                // A prefix and part of the message it announces.
                await TcpDns.SendRawAsync(socket, new byte[] { 0x00, (byte)query.Length }.Concat(query.Take(i % query.Length)).ToArray(), timeout.Token);
            }
            // While they hang mid-message, others are served.
            await AssertStillServingAsync(dns);
            for (var i = 0; i < sockets.Count; i++)
            {
                // Half reset (RST), half closed (FIN).
                if (i % 2 == 0) sockets[i].LingerState = new LingerOption(false, 0);
                sockets[i].Dispose();
            }
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
        await AssertStillServingAsync(dns);
    }

    [Fact]
    public async Task Idle_connections_do_not_hold_up_others_and_each_can_still_ask()
    {
        await using var dns = await StartAsync();
        using var timeout = Timeout();
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < 100; i++) idle.Add(await TcpDns.ConnectAsync(dns.EndPoint, timeout.Token));
            await AssertStillServingAsync(dns);
            foreach (var socket in idle.Where((_, i) => i % 10 == 0))
            {
                await TcpDns.SendAsync(socket, RawDns.Query("web.service.mesh", RawDns.TypeA, 0xA1A1), timeout.Token);
                var response = RawMessage.Parse(await TcpDns.ReceiveAsync(socket, timeout.Token) ?? throw new Xunit.Sdk.XunitException("an idle connection was closed"));
                Assert.Equal("10.0.0.1", Assert.Single(response.Addresses).ToString());
            }
        }
        finally
        {
            foreach (var socket in idle) socket.Dispose();
        }
    }


    /// <summary>Waits (at most a minute) for the server to close <paramref name="socket"/>; what it sent before.</summary>
    private static async Task<byte[]> ClosedByServerAsync(Socket socket, string what)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Lookups.Ct);
        limit.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            return await TcpDns.ReadToEndAsync(socket, limit.Token);
        }
        catch (OperationCanceledException) when (!Lookups.Ct.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"the server kept {what} open for a minute");
        }
    }

    [Fact]
    public async Task A_connection_the_client_has_finished_with_is_closed_by_the_server()
    {
        await using var dns = await StartAsync();
        using var socket = await TcpDns.ConnectAsync(dns.EndPoint, Lookups.Ct);
        await TcpDns.SendAsync(socket, RawDns.Query("web.service.mesh", RawDns.TypeA, 0xD001), Lookups.Ct);
        socket.Shutdown(SocketShutdown.Send);
        var rest = await ClosedByServerAsync(socket, "a connection the client half-closed after one query");
        Assert.Equal(0xD001, RawDns.IdOf(rest.AsSpan(2)));
    }

    [Fact]
    public async Task A_connection_stalled_mid_message_is_closed_by_the_server()
    {
        await using var dns = await StartAsync();
        using var socket = await TcpDns.ConnectAsync(dns.EndPoint, Lookups.Ct);
        await TcpDns.SendRawAsync(socket, new byte[] { 0x00, 0x40, 0x12, 0x34 }, Lookups.Ct);
        Assert.Empty(await ClosedByServerAsync(socket, "a connection stalled mid-message"));
    }

    [Fact]
    public async Task An_idle_connection_is_closed_by_the_server()
    {
        await using var dns = await StartAsync();
        using var socket = await TcpDns.ConnectAsync(dns.EndPoint, Lookups.Ct);
        Assert.Empty(await ClosedByServerAsync(socket, "an idle connection"));
    }

    [Fact]
    public async Task Pipelined_queries_on_one_connection_are_each_answered()
    {
        await using var dns = await StartAsync();
        using var timeout = Timeout();
        using var socket = await TcpDns.ConnectAsync(dns.EndPoint, timeout.Token);
        var queries = new[]
        {
            RawDns.Query("web.service.mesh", RawDns.TypeA, 0xB001),
            RawDns.Query("nothing.service.mesh", RawDns.TypeA, 0xB002),
            RawDns.Query("example.com", RawDns.TypeA, 0xB003),
        };
        var all = queries.SelectMany(q => new[] { (byte)(q.Length >> 8), (byte)q.Length }.Concat(q)).ToArray();
        await TcpDns.SendRawAsync(socket, all, timeout.Token);

        var codes = new List<(int, int)>();
        for (var i = 0; i < queries.Length; i++)
        {
            var response = RawMessage.Parse(await TcpDns.ReceiveAsync(socket, timeout.Token) ?? throw new Xunit.Sdk.XunitException($"closed after {i} responses"));
            codes.Add((response.Id, response.Rcode));
        }
        // RFC 7766 §6.2.1.1: responses may come in any order; the id pairs them.
        Assert.Equal([(0xB001, RawDns.NoError), (0xB002, RawDns.NxDomain), (0xB003, RawDns.Refused)], codes.Order().ToList());
    }

    [Fact]
    public async Task A_query_written_one_byte_at_a_time_is_answered()
    {
        await using var dns = await StartAsync();
        using var timeout = Timeout();
        using var socket = await TcpDns.ConnectAsync(dns.EndPoint, timeout.Token);
        var query = RawDns.Query("web.service.mesh", RawDns.TypeA, 0xC001);
        byte[] framed = [(byte)(query.Length >> 8), (byte)query.Length, .. query];
        foreach (var b in framed) await TcpDns.SendRawAsync(socket, new[] { b }, timeout.Token);
        var response = RawMessage.Parse(await TcpDns.ReceiveAsync(socket, timeout.Token) ?? throw new Xunit.Sdk.XunitException("closed without answering"));
        Assert.Equal(0xC001, response.Id);
        Assert.Equal("10.0.0.1", Assert.Single(response.Addresses).ToString());
    }
}
