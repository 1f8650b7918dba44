namespace Mesh.Host.Api.Consul;

/// <summary>Error answers as Consul gives them: a status code and a plain-text message saying what is wrong.</summary>
internal static class ConsulResults
{
    public static IResult BadRequest(string message) => Text(message, StatusCodes.Status400BadRequest);

    /// <summary>400 with every problem of the request, one per line.</summary>
    public static IResult Invalid(string what, IEnumerable<string> problems) =>
        BadRequest($"{what}:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Distinct().Select(p => "- " + p))}");

    public static IResult NotFound(string message) => Text(message, StatusCodes.Status404NotFound);

    public static IResult Forbidden(string message) => Text(message, StatusCodes.Status403Forbidden);

    private static IResult Text(string message, int status) =>
        Results.Text(message + Environment.NewLine, "text/plain; charset=utf-8", statusCode: status);
}
