using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Registry.Configuration;

/// <summary>Runs an options class's own <see cref="IValidatableOptions.Validate"/> at start, reporting all problems together.</summary>
public sealed class SelfValidatingOptions<T> : IValidateOptions<T> where T : class, IValidatableOptions
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public static class SelfValidatingOptionsExtensions
{
    /// <summary>Validates <typeparamref name="T"/> with its own rules when the host starts.</summary>
    public static OptionsBuilder<T> ValidateSelfOnStart<T>(this OptionsBuilder<T> builder) where T : class, IValidatableOptions
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<T>, SelfValidatingOptions<T>>();
        return builder.ValidateOnStart();
    }
}
