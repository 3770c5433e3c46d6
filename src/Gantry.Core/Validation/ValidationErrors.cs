namespace Gantry.Core.Validation;

/// <summary>
/// Collects every problem found in one request, keyed by the field it concerns, so that a caller
/// gets one answer naming each bad field instead of fixing them one round trip at a time.
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentException.ThrowIfNullOrEmpty(message);
        if (!_errors.TryGetValue(field, out var messages))
        {
            messages = [];
            _errors[field] = messages;
        }

        messages.Add(message);
    }

    /// <summary>The errors in the shape ASP.NET Core's <c>ValidationProblem</c> expects.</summary>
    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Throws <see cref="ValidationFailedException"/> when any error was collected.</summary>
    public void ThrowIfAny()
    {
        if (!IsEmpty)
        {
            throw new ValidationFailedException(this);
        }
    }
}
