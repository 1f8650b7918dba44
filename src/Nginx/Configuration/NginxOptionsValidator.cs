using Mesh.Nginx.Rendering;
using Mesh.Registry.Instances;
using Microsoft.Extensions.Options;

namespace Mesh.Nginx.Configuration;

/// <summary>Every problem of every target, each naming its configuration key.</summary>
internal sealed class NginxOptionsValidator : IValidateOptions<NginxOptions>
{
    public ValidateOptionsResult Validate(string? name, NginxOptions options)
    {
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IReadOnlyList<string> Errors(NginxOptions options)
    {
        var errors = new List<string>();
        foreach (var (name, t) in options.Targets.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var key = $"{NginxOptions.Section}:Targets:{name}";
            if (!DnsLabel.IsValid(name.ToLowerInvariant()))
                errors.Add($"{key}: the target name '{name}' must be a DNS label (it names the stream nginx-{name})");
            if (string.IsNullOrWhiteSpace(t.OutputPath)) errors.Add($"{key}:OutputPath is required");
            if (!string.IsNullOrWhiteSpace(t.TemplatePath) && !File.Exists(t.TemplatePath))
                errors.Add($"{key}:TemplatePath '{t.TemplatePath}' does not exist");
            else if (!string.IsNullOrWhiteSpace(t.TemplatePath) && TemplateError(t.TemplatePath) is { } error)
                errors.Add($"{key}:TemplatePath '{t.TemplatePath}' is not a valid Liquid template: {error}");
            if (!t.IsFull && !string.Equals(t.Mode, NginxTargetOptions.UpstreamsMode, StringComparison.OrdinalIgnoreCase))
                errors.Add($"{key}:Mode must be 'upstreams' or 'full', not '{t.Mode}'");
            if (string.IsNullOrWhiteSpace(t.ValidateCommand)) errors.Add($"{key}:ValidateCommand is required");
            if (string.IsNullOrWhiteSpace(t.ReloadCommand)) errors.Add($"{key}:ReloadCommand is required");
            if (t.DebounceMs < 0) errors.Add($"{key}:DebounceMs must be zero or more milliseconds");
            if (t.MaxDelayMs < t.DebounceMs) errors.Add($"{key}:MaxDelayMs must be at least DebounceMs ({t.DebounceMs})");
            if (t.CommandTimeoutMs <= 0) errors.Add($"{key}:CommandTimeoutMs must be a positive number of milliseconds");
            foreach (var s in t.Services.Where(s => !DnsLabel.IsValid(s)))
                errors.Add($"{key}:Services: '{s}' is not a service name (a DNS label)");
            foreach (var e in t.Environments.Where(e => !DnsLabel.IsValid(e)))
                errors.Add($"{key}:Environments: '{e}' is not an environment name (a DNS label)");
        }
        return errors;
    }

    private static string? TemplateError(string path)
    {
        try
        {
            NginxTemplate.Load(path);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }
}
