using System.Globalization;
using MassTransit;

namespace Mesh.Bus.Contracts;

/// <summary>
/// The <c>Mesh-Deadline</c> header: when the edge stops waiting for the answer (ISO 8601, the edge's clock). A
/// registry does not decide a request after it: the caller was told the registry is unavailable.
/// </summary>
internal static class RequestDeadline
{
    public const string Header = "Mesh-Deadline";

    public static void Write(SendContext context, DateTimeOffset deadline) =>
        context.Headers.Set(Header, deadline.ToString("O", CultureInfo.InvariantCulture));

    public static DateTimeOffset? Read(ConsumeContext context) =>
        context.Headers.Get<string>(Header) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var deadline)
            ? deadline
            : null;
}
