using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Sources.Marathon;

public static class MarathonSourceServiceCollectionExtensions
{
    /// <summary>
    /// The Marathon source's settings (validated at start, each problem naming its key). The source itself runs only
    /// when <c>Mesh:Sources:Marathon:Urls</c> lists at least one master.
    /// </summary>
    public static IServiceCollection AddMeshMarathonSource(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(MarathonSourceOptions.Section);
        services.AddOptions<MarathonSourceOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MarathonSourceOptions>, Validator>();
        return services;
    }

    private sealed class Validator : IValidateOptions<MarathonSourceOptions>
    {
        public ValidateOptionsResult Validate(string? name, MarathonSourceOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
