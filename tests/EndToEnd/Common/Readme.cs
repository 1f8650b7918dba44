using System.Text.RegularExpressions;

namespace Mesh.EndToEnd.Tests.Common;

/// <summary>The repository's README, so the quickstart test sends exactly what a newcomer copies from it.</summary>
internal static partial class Readme
{
    public static string Text => File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));

    /// <summary>The JSON body of the README's <c>curl ... /v1/agent/service/register --data '...'</c> command.</summary>
    public static string RegistrationBody()
    {
        var match = RegisterCommand().Match(Text);
        return match.Success
            ? match.Groups["body"].Value
            : throw new InvalidOperationException("README.md has no `curl -X PUT .../v1/agent/service/register --data '{...}'` command.");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Mesh.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"/v1/agent/service/register\s+--data\s+'(?<body>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex RegisterCommand();
}
