namespace Mesh.Registry.Tests.Sources.Marathon;

/// <summary>The shared Marathon fixtures: found by walking up from the test binaries to a directory with <c>shared/fixtures/marathon</c>.</summary>
internal static class MarathonFixtures
{
    public static string Directory { get; } = Locate();

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Directory, relative));

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "marathon");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"no shared/fixtures/marathon above {AppContext.BaseDirectory}");
    }
}
