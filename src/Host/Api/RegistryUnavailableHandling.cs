using Mesh.Bus;

namespace Mesh.Host.Api;

/// <summary>
/// On an edge, a write goes to a registry over the bus and answers only once the event is appended. With no
/// registry answering, the write did not happen (as far as this process knows): 503 with the reason, never a
/// false 200.
/// </summary>
internal static class RegistryUnavailableHandling
{
    public static WebApplication UseRegistryUnavailableAs503(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (RegistryUnavailableException ex) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "5";
                await context.Response.WriteAsync(ex.Message + "\n", context.RequestAborted);
            }
        });
        return app;
    }
}
