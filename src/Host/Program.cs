using Mesh.Host.Cli;

// `mesh` with no verb is `mesh run`; the verbs are in Cli/ (MeshCli).
return await MeshCli.InvokeAsync(args, Console.Out, Console.Error);
