using System.Reflection;
using Fluid;
using Mesh.Nginx.Model;

namespace Mesh.Nginx.Rendering;

/// <summary>
/// A parsed Liquid template (Fluid) that turns an <see cref="NginxModel"/> into nginx configuration. Members are
/// exposed in snake_case (<c>upstreams</c>, <c>u.name</c>, <c>s.endpoint</c>, ...); src/Nginx/README.md documents them.
/// </summary>
public sealed class NginxTemplate
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly IFluidTemplate _template;

    private NginxTemplate(IFluidTemplate template) => _template = template;

    public static NginxTemplate BuiltIn { get; } = Parse(ReadBuiltIn());

    /// <summary>Parses <paramref name="source"/>; throws <see cref="FormatException"/> with the parser's message.</summary>
    public static NginxTemplate Parse(string source)
    {
        if (!Parser.TryParse(source, out var template, out var error)) throw new FormatException(error);
        return new NginxTemplate(template);
    }

    public static NginxTemplate Load(string? path) =>
        string.IsNullOrWhiteSpace(path) ? BuiltIn : Parse(File.ReadAllText(path));

    public string Render(NginxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var context = new TemplateContext(model, Options);
        return _template.Render(context);
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.SnakeCase;
        options.MemberAccessStrategy.Register<NginxModel>();
        options.MemberAccessStrategy.Register<NginxUpstream>();
        options.MemberAccessStrategy.Register<NginxEndpoint>();
        options.MemberAccessStrategy.Register<NginxServer>();
        options.MemberAccessStrategy.Register<NginxLocation>();
        return options;
    }

    private static string ReadBuiltIn()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Mesh.Nginx.default.liquid")
            ?? throw new InvalidOperationException("The built-in nginx template is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
