using BenchmarkDotNet.Running;

namespace Mesh.Bench;

internal static class BenchProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
}
