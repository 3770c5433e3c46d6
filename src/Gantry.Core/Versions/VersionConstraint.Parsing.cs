using System.Diagnostics.CodeAnalysis;

namespace Gantry.Core.Versions;

// The desugaring follows npm semver's ranges (node-semver README "Advanced Range Syntax"), applied to
// one to four parts: missing and wildcard parts are zero in lower bounds, and derived exclusive upper
// bounds use the lowest prerelease (X.Y.Z-0) so that 2.0.0-rc stays outside ^1.0.0.
public sealed partial class VersionConstraint
{
    private static bool TryParseSet(string group, [NotNullWhen(true)] out ComparatorSet? set, [NotNullWhen(false)] out string? error)
    {
        set = null;
        var tokens = Tokenize(group);
        if (tokens.Count == 0)
        {
            error = "an alternative around '||' is empty";
            return false;
        }

        var comparators = new List<Comparator>();
        if (tokens is [var from, "-", var to])
        {
            if (!TryParseHyphenRange(from, to, comparators, out error))
            {
                return false;
            }
        }
        else
        {
            foreach (var token in tokens)
            {
                if (!TryParseComparator(token, comparators, out error))
                {
                    return false;
                }
            }
        }

        set = new ComparatorSet(comparators);
        error = null;
        return true;
    }

    // Split on blanks, joining an operator written apart from its version (">= 1.2.0") back to it.
    private static List<string> Tokenize(string group)
    {
        var tokens = new List<string>();
        string? pendingOperator = null;
        foreach (var word in group.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.AsSpan().TrimStart("<>=^~").IsEmpty)
            {
                pendingOperator += word;
                continue;
            }

            tokens.Add(pendingOperator + word);
            pendingOperator = null;
        }

        if (pendingOperator is not null)
        {
            tokens.Add(pendingOperator);
        }

        return tokens;
    }

    private static bool TryParseComparator(string token, List<Comparator> into, [NotNullWhen(false)] out string? error)
    {
        var operatorLength = token.AsSpan().IndexOfAnyExcept("<>=^~");
        if (operatorLength < 0)
        {
            error = $"'{token}' has no version";
            return false;
        }

        var op = token[..operatorLength];
        if (!PartialVersion.TryParse(token[operatorLength..], out var version))
        {
            error = $"'{token}' is not a version, a wildcard pattern or a comparison";
            return false;
        }

        error = null;
        switch (op)
        {
            case "" or "=":
                if (version.IsFull)
                {
                    into.Add(new(ComparatorOperator.Equal, version.Floor(), Written: true));
                }
                else
                {
                    AddWildcardRange(version, into);
                }

                return true;
            case "^":
                AddCaret(version, into);
                return true;
            case "~" or "~>":
                AddTilde(version, into);
                return true;
            case ">=":
                AddLowerBound(version, into);
                return true;
            case "<=":
                AddInclusiveUpperBound(version, into);
                return true;
            case ">" when !version.IsAny:
                into.Add(version.IsFull
                    ? new(ComparatorOperator.Greater, version.Floor(), Written: true)
                    : new(ComparatorOperator.GreaterOrEqual, version.Ceiling(version.Numbers.Length - 1), Written: false));
                return true;
            case "<" when !version.IsAny:
                into.Add(version.IsFull
                    ? new(ComparatorOperator.Less, version.Floor(), Written: true)
                    : new(ComparatorOperator.Less, version.FloorBelowPrereleases(), Written: false));
                return true;
            case ">" or "<":
                error = $"'{token}' matches no version";
                return false;
            default:
                error = $"'{op}' in '{token}' is not an operator (use =, <, <=, >, >=, ^ or ~)";
                return false;
        }
    }

    private static bool TryParseHyphenRange(string from, string to, List<Comparator> into, [NotNullWhen(false)] out string? error)
    {
        if (!PartialVersion.TryParse(from, out var lower) || !PartialVersion.TryParse(to, out var upper))
        {
            error = $"'{from} - {to}' is not a range of two versions";
            return false;
        }

        AddLowerBound(lower, into);
        AddInclusiveUpperBound(upper, into);
        error = null;
        return true;
    }

    private static void AddWildcardRange(PartialVersion version, List<Comparator> into)
    {
        if (!version.IsAny)
        {
            into.Add(new(ComparatorOperator.GreaterOrEqual, version.FloorBelowPrereleases(), Written: false));
            into.Add(new(ComparatorOperator.Less, version.Ceiling(version.Numbers.Length - 1), Written: false));
        }
    }

    // ^ allows changes that do not modify the left-most non-zero part: ^1.2.3 -> <2.0.0, ^0.2.3 -> <0.3.0,
    // ^0.0.3 -> <0.0.4, ^0.0 -> <0.1.0, ^1.0.0.0 -> <2.0.0.0.
    private static void AddCaret(PartialVersion version, List<Comparator> into)
    {
        if (version.IsAny)
        {
            return;
        }

        AddLowerBound(version, into);
        var numbers = version.Numbers;
        var firstNonZero = Array.FindIndex(numbers, n => n != 0);
        into.Add(new(ComparatorOperator.Less, version.Ceiling(firstNonZero >= 0 ? firstNonZero : numbers.Length - 1), Written: false));
    }

    // ~ allows patch-level changes when a minor version is given (~1.2.3, ~1.2 -> <1.3.0), else minor-level (~1 -> <2.0.0).
    private static void AddTilde(PartialVersion version, List<Comparator> into)
    {
        if (version.IsAny)
        {
            return;
        }

        AddLowerBound(version, into);
        into.Add(new(ComparatorOperator.Less, version.Ceiling(version.Numbers.Length >= 2 ? 1 : 0), Written: false));
    }

    private static void AddLowerBound(PartialVersion version, List<Comparator> into)
    {
        if (!version.IsAny)
        {
            into.Add(version.IsFull
                ? new(ComparatorOperator.GreaterOrEqual, version.Floor(), Written: true)
                : new(ComparatorOperator.GreaterOrEqual, version.FloorBelowPrereleases(), Written: false));
        }
    }

    private static void AddInclusiveUpperBound(PartialVersion version, List<Comparator> into)
    {
        if (!version.IsAny)
        {
            into.Add(version.IsFull
                ? new(ComparatorOperator.LessOrEqual, version.Floor(), Written: true)
                : new(ComparatorOperator.Less, version.Ceiling(version.Numbers.Length - 1), Written: false));
        }
    }

    // OCI distribution spec tag grammar: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}.
    private static bool IsLiteralTag(string text) =>
        text.Length <= 128
        && (char.IsAsciiLetterOrDigit(text[0]) || text[0] == '_')
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
