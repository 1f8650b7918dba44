namespace Mesh.Registry.Configuration;

/// <summary>An options class that knows every reason it is invalid, each naming its configuration key.</summary>
public interface IValidatableOptions
{
    IReadOnlyList<string> Validate();
}
