using Gantry.Core.Validation;

namespace Gantry.Core.State;

/// <summary>Who made a change: the principal's display name and e-mail, written as the commit author.</summary>
public sealed record ChangeAuthor(string Name, string Email);

/// <summary>
/// One accepted mutation of the desired state: files to put and paths (files or whole folders) to delete,
/// who made it and why. It becomes one commit (or part of one, in per-batch mode).
/// </summary>
public sealed record Change
{
    /// <summary>Longest accepted commit message, in characters.</summary>
    public const int MaxMessageLength = 64 * 1024;

    /// <summary>Files to create or overwrite: path to content.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Puts { get; init; } = new Dictionary<string, ReadOnlyMemory<byte>>();

    /// <summary>Files or folders to remove; removing a path that does not exist is not an error.</summary>
    public IReadOnlyList<string> Deletes { get; init; } = [];

    public required ChangeAuthor Author { get; init; }

    public required string Message { get; init; }

    /// <summary>Written as the <c>Gantry-Change-Id</c> trailer; also how callers find the commit again.</summary>
    public string? ChangeId { get; init; }

    /// <summary>Written as the <c>Gantry-Tenant</c> trailer.</summary>
    public string? Tenant { get; init; }

    /// <summary>Written as the <c>Gantry-Claim</c> trailer.</summary>
    public string? Claim { get; init; }

    /// <summary>
    /// The revision the caller read before deciding on this change (the ETag it got). When set, the change is
    /// refused with <see cref="ChangeConflictException"/> if any of its paths changed after that revision.
    /// When not set, the change is still refused if another writer changed its paths while it was being pushed.
    /// </summary>
    public string? BaseRevision { get; init; }

    /// <summary>Every path the change touches, puts first.</summary>
    public IEnumerable<string> Paths => Puts.Keys.Concat(Deletes);

    /// <summary>The trailers written below the message, in order, for the fields that are set.</summary>
    public IEnumerable<KeyValuePair<string, string>> Trailers()
    {
        if (ChangeId is not null)
        {
            yield return new(StateTrailers.ChangeId, ChangeId);
        }

        if (Tenant is not null)
        {
            yield return new(StateTrailers.Tenant, Tenant);
        }

        if (Claim is not null)
        {
            yield return new(StateTrailers.Claim, Claim);
        }
    }

    /// <summary>Collects every problem with this change (paths, author, message, trailers) into <paramref name="errors"/>.</summary>
    public void Validate(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Puts.Count == 0 && Deletes.Count == 0)
        {
            errors.Add("change", "must put or delete at least one path");
        }

        foreach (var path in Puts.Keys)
        {
            StatePath.Validate(path, $"puts[{Printable(path)}]", errors);
        }

        for (var i = 0; i < Deletes.Count; i++)
        {
            StatePath.Validate(Deletes[i], $"deletes[{i}]", errors);
        }

        var duplicate = Deletes.FirstOrDefault(Puts.ContainsKey);
        if (duplicate is not null)
        {
            errors.Add("deletes", "must not name a path that is also put");
        }

        CheckLine(Author?.Name, "author.name", errors, required: true);
        CheckLine(Author?.Email, "author.email", errors, required: true);
        if (string.IsNullOrWhiteSpace(Message))
        {
            errors.Add("message", "is required");
        }
        else if (Message.Length > MaxMessageLength || Message.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add("message", $"must be at most {MaxMessageLength} characters without NUL");
        }

        CheckLine(ChangeId, "changeId", errors, required: false);
        CheckLine(Tenant, "tenant", errors, required: false);
        CheckLine(Claim, "claim", errors, required: false);
        if (BaseRevision is not null && !StateRevision.IsWellFormed(BaseRevision))
        {
            errors.Add("baseRevision", "must be a 40-character hexadecimal revision");
        }
    }

    /// <summary>Throws <see cref="ValidationFailedException"/> naming every problem with this change.</summary>
    public void EnsureValid()
    {
        var errors = new ValidationErrors();
        Validate(errors);
        errors.ThrowIfAny();
    }

    private static void CheckLine(string? value, string field, ValidationErrors errors, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required || value is not null)
            {
                errors.Add(field, "is required");
            }

            return;
        }

        if (value.Length > 256 || value.Any(c => char.IsControl(c) || c is '<' or '>'))
        {
            errors.Add(field, "must be one line of at most 256 characters without control characters, '<' or '>'");
        }
    }

    // A hostile path may hold NUL or be 10 KB long; the field name stays short and printable.
    private static string Printable(string path)
    {
        var clean = new string(path.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return path.Length > 64 ? clean + "…" : clean;
    }
}

/// <summary>Names of the trailers Gantry writes under each commit message.</summary>
public static class StateTrailers
{
    public const string ChangeId = "Gantry-Change-Id";
    public const string Tenant = "Gantry-Tenant";
    public const string Claim = "Gantry-Claim";
}
