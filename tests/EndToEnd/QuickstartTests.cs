using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>The README's quickstart, tried as a new user would: run Mesh, register with curl, read it back.</summary>
public sealed class QuickstartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadmeRegistration_ThenHealthService_ShowsTheServiceWithConsulFieldNames()
    {
        var body = Readme.RegistrationBody();
        var sent = JsonNode.Parse(body)!.AsObject();
        var name = (string)sent["Name"]!;
        using var dir = new TempDirectory();
        await using var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct);

        using var put = await mesh.Client.RegisterAsync(body, Ct);
        Assert.True(put.StatusCode == HttpStatusCode.OK, $"register answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync(Ct)}{mesh.Describe()}");

        var read = await mesh.Client.ReadAsync<JsonArray>($"/v1/health/service/{name}?passing", Ct);
        var entry = Assert.Single(read.Body)!.AsObject();
        Assert.True(read.Index >= 1, $"X-Consul-Index was {read.Index?.ToString() ?? "missing"}");
        Assert.All(new[] { "Node", "Service", "Checks" }, field => Assert.True(entry.ContainsKey(field), $"no {field} in {entry}"));
        Assert.False(string.IsNullOrEmpty((string?)entry["Node"]?["Node"]), "Node.Node is the node name");
        var service = entry["Service"]!.AsObject();
        Assert.Equal((string)sent["ID"]!, (string?)service["ID"]);
        Assert.Equal(name, (string?)service["Service"]);
        Assert.Equal((string)sent["Address"]!, (string?)service["Address"]);
        Assert.Equal((int)sent["Port"]!, (int?)service["Port"]);
        Assert.True(JsonNode.DeepEquals(sent["Tags"], service["Tags"]), $"Tags: sent {sent["Tags"]}, read {service["Tags"]}");
        Assert.True(JsonNode.DeepEquals(sent["Meta"], service["Meta"]), $"Meta: sent {sent["Meta"]}, read {service["Meta"]}");
        Assert.All(entry["Checks"]!.AsArray(), c => Assert.Equal("passing", (string?)c!["Status"]));
    }
}
