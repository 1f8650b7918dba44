namespace Mesh.Bench.Common;

/// <summary>One line of latency percentiles, in milliseconds.</summary>
internal static class Percentiles
{
    public static string Describe(string name, List<double> samples)
    {
        samples.Sort();
        double At(double q) => samples[(int)Math.Min(samples.Count - 1, Math.Round(q * (samples.Count - 1)))];
        return $"  {name,-22} p50 {At(0.5),7:F2}  p90 {At(0.9),7:F2}  p99 {At(0.99),7:F2}  max {samples[^1],7:F2}";
    }
}
