using System.Buffers.Binary;
using DnsClient;
using Mesh.Dns.Tests.Common;

namespace Mesh.Dns.Tests.Serving;

/// <summary>
/// Random and mutated datagrams at the real UDP listener: each gets at most one response, a well-formed one with
/// QR set and the query's id (none at all for datagrams shorter than a header or that are responses themselves),
/// the server never fails on one, and it keeps answering right. The seed is in every failure message
/// (<c>MESH_DNS_FUZZ_SEED</c> replays another one).
/// </summary>
public sealed class UdpFuzzTests
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("MESH_DNS_FUZZ_SEED"), out var seed) ? seed : 20_250_611;

    // One receive thread: datagrams are handled in the order sent, so a response to a fuzzed datagram arrives
    // before the sentinel's. No rate limit: thousands of queries from one address.
    private static readonly Dictionary<string, string?> Settings = new() { ["UdpWorkers"] = "1", ["RateLimit:ResponsesPerSecond"] = "0" };

    private static readonly byte[][] BaseQueries =
    [
        RawDns.Query("web.service.mesh", RawDns.TypeA, 0x1111),
        RawDns.Query("_web._tcp.service.mesh", RawDns.TypeSrv, 0x2222, ednsSize: 1232),
        RawDns.Query("anything.feature-x.test.mesh", RawDns.TypeA, 0x3333, ednsSize: 4096),
        RawDns.Query("example.com", RawDns.TypeAaaa, 0x4444),
        RawDns.Query("mesh", RawDns.TypeNs, 0x5555, ednsSize: 512, ednsPadding: 16),
    ];

    private static async Task<DnsHarness> StartAsync()
    {
        var dns = await DnsHarness.StartAsync(Settings);
        await dns.RegisterAsync("api:web-1", "web", "10.0.0.1", 8080);
        await dns.RegisterAsync("api:web-x", "web", "10.0.1.1", 8080, env: "feature-x");
        return dns;
    }

    /// <summary>
    /// Sends <paramref name="packet"/>, then a valid query; checks what came back before the valid query's answer
    /// and that answer itself. Returns whether the packet got a response.
    /// </summary>
    private static bool Probe(UdpDnsSocket udp, byte[] packet, string what)
    {
        string Context() => $"{what}, seed {Seed}, packet ({packet.Length} bytes) {Convert.ToHexString(packet.AsSpan(0, Math.Min(packet.Length, 96)))}";
        var sentinelId = packet.Length >= 2 && RawDns.IdOf(packet) == 0xBEEF ? (ushort)0xBEEE : (ushort)0xBEEF;
        var sentinel = RawDns.Query("web.service.mesh", RawDns.TypeA, sentinelId);
        udp.Send(packet);
        udp.Send(sentinel);
        var before = new List<byte[]>();
        while (true)
        {
            var datagram = udp.Receive(UdpDnsSocket.DefaultWait)
                ?? throw new Xunit.Sdk.XunitException($"the listener stopped answering: no answer to a valid query after {Context()}");
            if (datagram.Length >= 2 && RawDns.IdOf(datagram) == sentinelId)
            {
                var answer = RawMessage.Parse(datagram);
                if (answer.Rcode != RawDns.NoError || answer.Addresses.Count != 1 || answer.Addresses[0].ToString() != "10.0.0.1")
                    throw new Xunit.Sdk.XunitException($"a valid query was answered wrong ({answer.Rcode}, {string.Join(",", answer.Addresses)}) after {Context()}");
                break;
            }
            before.Add(datagram);
        }

        if (before.Count > 1) throw new Xunit.Sdk.XunitException($"{before.Count} responses to one datagram: {Context()}");
        var silent = packet.Length < RawDns.HeaderLength || (packet[2] & 0x80) != 0;
        if (before.Count == 0) return false;
        if (silent) throw new Xunit.Sdk.XunitException($"a response to a datagram that is too short or a response itself: {Context()}");

        var bytes = before[0];
        RawMessage response;
        try
        {
            response = RawMessage.Parse(bytes);
        }
        catch (FormatException ex)
        {
            throw new Xunit.Sdk.XunitException($"a malformed response ({ex.Message}) {Convert.ToHexString(bytes)} to {Context()}");
        }
        var opcode = (packet[2] >> 3) & 0x0F;
        var counts = Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4 + 2 * i))).ToArray();
        var problems = new List<string>();
        if (!response.IsResponse) problems.Add("QR is not set");
        if (response.Id != RawDns.IdOf(packet)) problems.Add($"id {response.Id} instead of {RawDns.IdOf(packet)}");
        if (response.Opcode != opcode) problems.Add($"opcode {response.Opcode} instead of {opcode}");
        if (response.Length > 512 && response.Opt is null) problems.Add($"{response.Length} bytes without EDNS");
        if (opcode != 0 && response.Rcode != RawDns.NotImp) problems.Add($"rcode {response.Rcode} for opcode {opcode}, not NOTIMP");
        else if (opcode == 0 && (counts[0] != 1 || counts[1] != 0 || counts[2] != 0 || counts[3] > 1) && response.Rcode != RawDns.FormErr)
            problems.Add($"rcode {response.Rcode} for counts {string.Join("/", counts)}, not FORMERR");
        if (response.Rcode is not (RawDns.NoError or RawDns.FormErr or RawDns.NxDomain or RawDns.NotImp or RawDns.Refused or RawDns.BadVers))
            problems.Add($"rcode {response.Rcode}");
        if (problems.Count > 0) throw new Xunit.Sdk.XunitException($"{string.Join("; ", problems)}: response {Convert.ToHexString(bytes)} to {Context()}");
        return true;
    }

    private static async Task AssertStillServingAsync(DnsHarness dns, UdpDnsSocket udp)
    {
        Assert.Equal(0, await MetricsText.ValueAsync(dns.Metrics, "mesh_dns_dropped_total", ("reason", "error")));
        var viaUdp = await dns.QueryAsync("web.service.mesh", QueryType.A);
        var viaTcp = await dns.QueryAsync("web.service.mesh", QueryType.A, tcp: true);
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(viaUdp));
        Assert.Equal(["10.0.0.1"], Lookups.AddressesOf(viaTcp));
        Assert.Equal("10.0.1.1", Assert.Single(udp.Exchange(RawDns.Query("web.service.feature-x.mesh", RawDns.TypeA, 1)).Addresses).ToString());
    }

    [Fact]
    public async Task Random_datagrams_get_at_most_a_well_formed_response_and_the_listener_keeps_answering()
    {
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var random = new Random(Seed);
        var answered = 0;

        for (var i = 0; i < 3000; i++)
        {
            var packet = new byte[random.Next(0, 601)];
            random.NextBytes(packet);
            if (Probe(udp, packet, $"random datagram {i}")) answered++;
        }
        // Random bytes that look like a query header: one question, no records, opcode 0, a random rest.
        for (var i = 0; i < 2000; i++)
        {
            var packet = new byte[random.Next(RawDns.HeaderLength, 601)];
            random.NextBytes(packet);
            packet[2] &= 0x07;
            packet[4] = 0;
            packet[5] = 1;
            packet.AsSpan(6, 4).Clear();
            packet[10] = 0;
            packet[11] = (byte)random.Next(2);
            if (Probe(udp, packet, $"random query {i}")) answered++;
        }

        Assert.True(answered > 0, $"seed {Seed}: no datagram got a response");
        await AssertStillServingAsync(dns, udp);
    }

    [Fact]
    public async Task Mutated_valid_queries_get_at_most_a_well_formed_response_and_the_listener_keeps_answering()
    {
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var random = new Random(Seed);
        var probes = 0;

        foreach (var query in BaseQueries)
        {
            var name = $"query {Convert.ToHexString(query)}";
            Assert.True(Probe(udp, query, name), $"the unmutated {name} was not answered");

            // Every single bit flipped.
            for (var bit = 0; bit < query.Length * 8; bit++)
            {
                var packet = (byte[])query.Clone();
                packet[bit / 8] ^= (byte)(1 << (bit % 8));
                Probe(udp, packet, $"{name} with bit {bit} flipped");
                probes++;
            }
            // Cut at every length.
            for (var length = 0; length < query.Length; length++)
            {
                Probe(udp, query[..length], $"{name} cut to {length} bytes");
                probes++;
            }
            // A byte inserted at every position.
            for (var at = 0; at <= query.Length; at++)
            {
                byte[] packet = [.. query[..at], (byte)random.Next(256), .. query[at..]];
                Probe(udp, packet, $"{name} with a byte inserted at {at}");
                probes++;
            }
            // Each section count changed.
            foreach (var section in new[] { 4, 6, 8, 10 })
            {
                foreach (var count in new ushort[] { 0, 1, 2, 3, 0x7F, 0xFF, 0x100, 0xFFFF })
                {
                    var packet = (byte[])query.Clone();
                    BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(section), count);
                    Probe(udp, packet, $"{name} with the count at {section} set to {count}");
                    probes++;
                }
            }
            // A few mutations at once.
            for (var i = 0; i < 300; i++)
            {
                var packet = new List<byte>(query);
                var how = new List<string>();
                for (var m = random.Next(1, 5); m > 0 && packet.Count > 0; m--)
                {
                    var at = random.Next(packet.Count);
                    switch (random.Next(4))
                    {
                        case 0: packet[at] ^= (byte)(1 << random.Next(8)); how.Add($"flip@{at}"); break;
                        case 1: packet[at] = (byte)random.Next(256); how.Add($"set@{at}"); break;
                        case 2: packet.Insert(at, (byte)random.Next(256)); how.Add($"insert@{at}"); break;
                        default: packet.RemoveAt(at); how.Add($"remove@{at}"); break;
                    }
                }
                Probe(udp, [.. packet], $"{name} mutated {string.Join(",", how)}");
                probes++;
            }
        }

        Assert.True(probes > 3000, $"only {probes} mutations");
        await AssertStillServingAsync(dns, udp);
    }

    [Fact]
    public async Task Names_of_random_labels_under_every_zone_get_a_well_formed_answer()
    {
        // Deeper than the header checks: valid framing, random label bytes and lengths, under each kind of name.
        await using var dns = await StartAsync();
        using var udp = new UdpDnsSocket(dns.EndPoint);
        var random = new Random(Seed);
        string[] suffixes = ["service.mesh", "service.feature-x.mesh", "node.mesh", "addr.mesh", "feature-x.test.mesh", "test.mesh", "mesh", "example.com", ""];
        ushort[] types = [RawDns.TypeA, RawDns.TypeAaaa, RawDns.TypeSrv, RawDns.TypeNs, RawDns.TypeSoa, 255, 252, 0, 65535];

        for (var i = 0; i < 2000; i++)
        {
            var name = new List<byte>();
            for (var labels = random.Next(0, 5); labels > 0; labels--)
            {
                var label = new byte[random.Next(1, 64)];
                random.NextBytes(label);
                if (random.Next(2) == 0) for (var b = 0; b < label.Length; b++) label[b] = (byte)"abcdefghijklmnopqrstuvwxyz0123456789-_ABCXYZ"[label[b] % 44];
                name.Add((byte)label.Length);
                name.AddRange(label);
            }
            var suffix = suffixes[random.Next(suffixes.Length)];
            var query = RawDns.Query(suffix.Length == 0 ? "." : suffix, types[random.Next(types.Length)], (ushort)i, ednsSize: random.Next(2) == 0 ? null : random.Next(0, 5000));
            var packet = new List<byte>(query);
            packet.InsertRange(RawDns.HeaderLength, name);
            if (packet.Count - RawDns.HeaderLength > 300) continue;
            Assert.True(Probe(udp, [.. packet], $"random name {i}"), $"seed {Seed}: no response to {Convert.ToHexString([.. packet])}");
        }

        await AssertStillServingAsync(dns, udp);
    }
}
