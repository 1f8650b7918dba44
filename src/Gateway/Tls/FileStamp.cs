using System.Collections.Immutable;

namespace Mesh.Gateway.Tls;

/// <summary>
/// What a file looks like from outside: where its symbolic links end (a Kubernetes secret swaps a link), whether it
/// exists, when it was last written and how long it is. Two equal stamps: the file very likely did not change.
/// </summary>
internal readonly record struct FileStamp(string Path, string? Target, bool Exists, DateTime LastWriteUtc, long Length)
{
    public static ImmutableArray<FileStamp> Of(ImmutableArray<string> paths) => [.. paths.Select(Of)];

    public static FileStamp Of(string path)
    {
        try
        {
            var info = new FileInfo(path);
            var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
            var file = target as FileInfo ?? info;
            return file.Exists
                ? new FileStamp(path, target?.FullName, Exists: true, file.LastWriteTimeUtc, file.Length)
                : new FileStamp(path, target?.FullName, Exists: false, default, -1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new FileStamp(path, null, Exists: false, default, -1);
        }
    }
}
