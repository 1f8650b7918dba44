using Mesh.Dns.Configuration;
using Microsoft.Extensions.Configuration;

namespace Mesh.Dns.Tests.Configuration;

/// <summary><see cref="DnsOptions.Validate"/>: every problem reported, each message naming its configuration key.</summary>
public sealed class DnsOptionsValidationTests
{
    private static IReadOnlyList<string> ErrorsOf(Action<DnsOptions> change)
    {
        var options = new DnsOptions { UdpWorkers = 2 };
        change(options);
        return options.Validate();
    }

    /// <summary>Binds <c>Mesh:Dns:*</c> keys as configuration does, then validates.</summary>
    private static IReadOnlyList<string> ErrorsOfConfiguration(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build();
        var options = new DnsOptions { UdpWorkers = 2 };
        configuration.GetSection(DnsOptions.Section).Bind(options);
        return options.Validate();
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        // Untouched: UdpWorkers defaults to the processor count, which has to be valid too.
        Assert.Empty(new DnsOptions().Validate());
    }

    [Fact]
    public void A_complete_valid_configuration_is_valid()
    {
        Assert.Empty(ErrorsOfConfiguration(
            ("Mesh:Dns:Address", "::1"),
            ("Mesh:Dns:Port", "0"),
            ("Mesh:Dns:Domain", "consul.example."),
            ("Mesh:Dns:TestDomain", "test.example"),
            ("Mesh:Dns:Ttl", "0"),
            ("Mesh:Dns:GatewayAddresses:0", "10.0.0.80"),
            ("Mesh:Dns:GatewayAddresses:1", "fd00::80"),
            ("Mesh:Dns:Views:feature-x:Port", "8601"),
            ("Mesh:Dns:Views:feature-x:Address", "127.0.0.2"),
            ("Mesh:Dns:Views:FEATURE-Y:Subnets:0", "10.1.0.0/16"),
            ("Mesh:Dns:Views:FEATURE-Y:Subnets:1", "fd00:1::/64"),
            ("Mesh:Dns:RateLimit:ResponsesPerSecond", "0"),
            ("Mesh:Dns:RateLimit:Slip", "0"),
            ("Mesh:Dns:RateLimit:Exempt:0", "127.0.0.0/8")));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("")]
    [InlineData("10.0.0.300")]
    public void A_listen_address_that_is_not_an_ip_names_the_address_key(string address)
    {
        Assert.Equal([$"Mesh:Dns:Address '{address}' must be an IP address"], ErrorsOf(o => o.Address = address));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(70000)]
    public void A_port_out_of_range_names_the_port_key(int port)
    {
        Assert.Equal(["Mesh:Dns:Port must be a port (0 to 65535)"], ErrorsOf(o => o.Port = port));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(86401)]
    public void A_ttl_out_of_range_names_the_ttl_key(int ttl)
    {
        Assert.Equal(["Mesh:Dns:Ttl must be from 0 to 86400 seconds"], ErrorsOf(o => o.Ttl = ttl));
    }

    [Theory]
    [InlineData("Bad_Domain")]
    [InlineData("Mesh")]
    [InlineData("")]
    [InlineData("a..mesh")]
    [InlineData("-mesh")]
    public void A_domain_that_is_not_dns_labels_names_the_domain_key(string domain)
    {
        var errors = ErrorsOf(o => o.Domain = domain);

        Assert.Contains(errors, e => e.StartsWith($"Mesh:Dns:Domain '{domain}' must be a domain name of lowercase DNS labels", StringComparison.Ordinal));
    }

    [Fact]
    public void A_test_domain_that_is_not_dns_labels_names_the_test_domain_key()
    {
        Assert.Equal(
            ["Mesh:Dns:TestDomain 'test.Bad_Domain' must be a domain name of lowercase DNS labels, such as 'mesh' or 'test.mesh'"],
            ErrorsOf(o => o.TestDomain = "test.Bad_Domain"));
    }

    [Theory]
    [InlineData("mesh")]
    [InlineData("mesh.")]
    public void A_test_domain_equal_to_the_domain_is_rejected(string testDomain)
    {
        Assert.Equal(["Mesh:Dns:TestDomain must differ from Mesh:Dns:Domain ('mesh')"], ErrorsOf(o => o.TestDomain = testDomain));
    }

    [Fact]
    public void A_gateway_address_that_is_not_an_ip_names_its_index()
    {
        Assert.Equal(
            ["Mesh:Dns:GatewayAddresses:1 'gateway.local' must be an IP address"],
            ErrorsOf(o => o.GatewayAddresses = ["10.0.0.80", "gateway.local"]));
    }

    [Theory]
    [InlineData("service")]
    [InlineData("node")]
    [InlineData("test")]
    [InlineData("Service")]
    public void A_view_with_a_reserved_name_names_its_key(string env)
    {
        var errors = ErrorsOf(o => o.Views[env] = new DnsViewOptions { Port = 8601 });

        Assert.Equal([$"Mesh:Dns:Views:{env}: '{env.ToLowerInvariant()}' is a reserved name, not an environment"], errors);
    }

    [Fact]
    public void The_reserved_test_label_follows_the_configured_test_domain()
    {
        Assert.Empty(ErrorsOf(o => { o.TestDomain = "sandbox.mesh"; o.Views["test"] = new DnsViewOptions { Port = 8601 }; }));
        Assert.Equal(
            ["Mesh:Dns:Views:sandbox: 'sandbox' is a reserved name, not an environment"],
            ErrorsOf(o => { o.TestDomain = "sandbox.mesh"; o.Views["sandbox"] = new DnsViewOptions { Port = 8601 }; }));
    }

    [Fact]
    public void A_domain_under_the_test_domain_is_rejected()
    {
        var errors = ErrorsOf(o => { o.Domain = "dev.mesh"; o.TestDomain = "mesh"; });

        Assert.Contains(errors, e => e.StartsWith("Mesh:Dns:TestDomain", StringComparison.Ordinal));
    }

    [Fact]
    public void A_view_whose_name_is_not_a_dns_label_names_its_key()
    {
        var errors = ErrorsOf(o => o.Views["feature_x"] = new DnsViewOptions { Port = 8601 });

        Assert.StartsWith("Mesh:Dns:Views:feature_x: the environment name 'feature_x' is not a DNS label", Assert.Single(errors));
    }

    [Fact]
    public void A_view_without_port_or_subnets_is_rejected_by_its_key()
    {
        Assert.Equal(
            ["Mesh:Dns:Views:x needs a Port or Subnets: otherwise no query could choose it"],
            ErrorsOf(o => o.Views["x"] = new DnsViewOptions()));
    }

    [Fact]
    public void A_view_address_without_a_port_of_its_own_is_rejected()
    {
        var errors = ErrorsOf(o => o.Views["x"] = new DnsViewOptions { Address = "127.0.0.2", Subnets = ["10.1.0.0/16"] });

        Assert.Equal(["Mesh:Dns:Views:x:Address needs Mesh:Dns:Views:x:Port: a view's listener needs a port of its own"], errors);
    }

    [Fact]
    public void A_view_with_a_bad_address_or_port_names_the_key()
    {
        var errors = ErrorsOf(o => o.Views["x"] = new DnsViewOptions { Address = "nope", Port = 70000 });

        Assert.Equal(["Mesh:Dns:Views:x:Address 'nope' must be an IP address", "Mesh:Dns:Views:x:Port must be a port (0 to 65535)"], errors);
    }

    [Theory]
    [InlineData("10.1.0.0")]
    [InlineData("10.1.0.0/33")]
    [InlineData("nope")]
    public void A_bad_view_subnet_names_its_index(string subnet)
    {
        var errors = ErrorsOf(o => o.Views["x"] = new DnsViewOptions { Subnets = ["10.2.0.0/16", subnet] });

        Assert.Equal([$"Mesh:Dns:Views:x:Subnets:1 '{subnet}' must be a subnet such as 10.1.0.0/16"], errors);
    }

    [Fact]
    public void A_negative_rate_limit_names_its_key()
    {
        Assert.Equal(
            ["Mesh:Dns:RateLimit:ResponsesPerSecond must not be negative (0 turns rate limiting off)"],
            ErrorsOf(o => o.RateLimit.ResponsesPerSecond = -1));
        Assert.Equal(
            ["Mesh:Dns:RateLimit:Slip must not be negative (0 drops every limited response)"],
            ErrorsOf(o => o.RateLimit.Slip = -1));
    }

    [Fact]
    public void A_bad_rate_limit_exemption_names_its_index()
    {
        Assert.Equal(
            ["Mesh:Dns:RateLimit:Exempt:0 'everyone' must be a subnet such as 127.0.0.0/8"],
            ErrorsOf(o => o.RateLimit.Exempt = ["everyone"]));
    }

    [Theory]
    [InlineData("dns.google")]
    [InlineData("10.0.0.2:0")]
    [InlineData("10.0.0.2:70000")]
    [InlineData("")]
    public void An_upstream_that_is_not_an_ip_end_point_names_its_index(string upstream)
    {
        Assert.Equal(
            [$"Mesh:Dns:Upstreams:1 '{upstream}' must be an IP address, with a port or not (10.0.0.2, 10.0.0.2:5353, [fd00::2]:53)"],
            ErrorsOf(o => o.Upstreams = ["10.0.0.2", upstream]));
    }

    [Fact]
    public void Upstreams_without_a_port_get_port_53()
    {
        var options = new DnsOptions { Upstreams = ["10.0.0.2", "10.0.0.3:5353", "fd00::2", "[fd00::3]"] };

        Assert.DoesNotContain(options.Validate(), e => e.Contains("Upstreams", StringComparison.Ordinal));
        Assert.Equal(["10.0.0.2:53", "10.0.0.3:5353", "[fd00::2]:53", "[fd00::3]:53"], options.UpstreamEndPoints().Select(e => e.ToString()));
    }

    [Fact]
    public void A_bracketed_ipv6_upstream_keeps_its_port()
    {
        var options = new DnsOptions { Upstreams = ["[fd00::3]:5353"] };

        Assert.Equal(["[fd00::3]:5353"], options.UpstreamEndPoints().Select(e => e.ToString()));
    }

    [Fact]
    public void A_non_positive_upstream_timeout_names_its_key()
    {
        Assert.Equal(["Mesh:Dns:UpstreamTimeout must be positive"], ErrorsOf(o => o.UpstreamTimeout = TimeSpan.Zero));
    }

    [Theory]
    [InlineData(511)]
    [InlineData(65536)]
    public void A_max_udp_size_out_of_range_names_its_key(int size)
    {
        Assert.Equal(["Mesh:Dns:MaxUdpSize must be from 512 to 65535"], ErrorsOf(o => o.MaxUdpSize = size));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Udp_workers_out_of_range_names_its_key(int workers)
    {
        Assert.Equal(["Mesh:Dns:UdpWorkers must be from 1 to 64"], ErrorsOf(o => o.UdpWorkers = workers));
    }

    [Fact]
    public void Every_problem_is_reported_together_each_by_the_key_that_was_set()
    {
        var errors = ErrorsOfConfiguration(
            ("Mesh:Dns:Address", "localhost"),
            ("Mesh:Dns:Port", "70000"),
            ("Mesh:Dns:Ttl", "-1"),
            ("Mesh:Dns:Domain", "Bad_Domain"),
            ("Mesh:Dns:GatewayAddresses:0", "gateway"),
            ("Mesh:Dns:Views:service:Port", "8601"),
            ("Mesh:Dns:Views:x:Subnets:0", "10.1.0.0/99"),
            ("Mesh:Dns:RateLimit:ResponsesPerSecond", "-5"));

        string[] keys =
        [
            "Mesh:Dns:Address", "Mesh:Dns:Port", "Mesh:Dns:Domain", "Mesh:Dns:Ttl", "Mesh:Dns:GatewayAddresses:0",
            "Mesh:Dns:Views:service", "Mesh:Dns:Views:x:Subnets:0", "Mesh:Dns:RateLimit:ResponsesPerSecond",
        ];
        Assert.Equal(keys.Length, errors.Count);
        foreach (var key in keys)
            Assert.Single(errors, e => e.StartsWith(key + " ", StringComparison.Ordinal) || e.StartsWith(key + ":", StringComparison.Ordinal));
    }
}
