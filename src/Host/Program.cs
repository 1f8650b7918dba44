using System.CommandLine;
using Mesh.Host;
using Microsoft.Extensions.Options;

// `mesh` with no verb is `mesh run`.
var run = new Command("run", "Run Mesh: store, registry, projections, health checks and the HTTP API.");
run.SetAction(async (_, ct) => await RunAsync(args.SkipWhile(a => a == "run").ToArray()));

var root = new RootCommand("Mesh: event-sourced service discovery and routing.") { run };
root.TreatUnmatchedTokensAsErrors = false;
root.SetAction(async (_, ct) => await RunAsync(args));
return await root.Parse(args).InvokeAsync();

static async Task<int> RunAsync(string[] args)
{
    WebApplication app;
    try
    {
        app = MeshApp.Build(args);
    }
    catch (ConfigurationException ex)
    {
        await Console.Error.WriteLineAsync(ex.Message);
        return 2;
    }
    try
    {
        await app.RunAsync();
        return 0;
    }
    catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
    {
        await Console.Error.WriteLineAsync($"Mesh could not start: {ex.Message}");
        return 2;
    }
}
