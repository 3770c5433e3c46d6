namespace Gantry.Core.Validation;

/// <summary>A request broke one or more rules; the server answers it with one RFC 9457 validation problem.</summary>
public sealed class ValidationFailedException(ValidationErrors errors)
    : Exception("The request is not valid: " + string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")))
{
    public IDictionary<string, string[]> Errors { get; } = errors.ToDictionary();

    /// <summary>A failure naming one field, for checks that stop at the first problem.</summary>
    public static ValidationFailedException For(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return new ValidationFailedException(errors);
    }
}
