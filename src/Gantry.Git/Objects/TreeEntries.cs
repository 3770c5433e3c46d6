using System.Runtime.InteropServices;
using TreeEntry = Gantry.Git.Objects.TreeCache.TreeEntry;

namespace Gantry.Git.Objects;

/// <summary>
/// The entries of one cached tree, kept in Git's order (<see cref="GitNameComparer"/>, trees keyed with a trailing
/// '/') in one sorted list: a lookup is a binary search, an insert shifts the slots after it. A tree holds a few to a
/// few hundred entries, and the cache holds hundreds of thousands of them at 100,000 instances, so a slot per entry
/// (16 bytes) rather than a node of a balanced tree per entry (about 50) is what the cache's size is made of.
/// </summary>
internal sealed class TreeEntries
{
    private readonly List<KeyValuePair<string, TreeEntry>> _slots;

    public TreeEntries(int capacity = 0) => _slots = new List<KeyValuePair<string, TreeEntry>>(capacity);

    public int Count => _slots.Count;

    /// <summary>The entries in Git's order, as (key, entry).</summary>
    public ReadOnlySpan<KeyValuePair<string, TreeEntry>> InOrder => CollectionsMarshal.AsSpan(_slots);

    public bool TryGetValue(string key, out TreeEntry entry)
    {
        var at = IndexOf(key);
        entry = at >= 0 ? _slots[at].Value : null!;
        return at >= 0;
    }

    /// <summary>Puts <paramref name="entry"/> under <paramref name="key"/>, replacing what was there.</summary>
    public void Set(string key, TreeEntry entry)
    {
        var at = IndexOf(key);
        if (at >= 0)
        {
            _slots[at] = new(key, entry);
        }
        else
        {
            _slots.Insert(~at, new(key, entry));
        }
    }

    /// <summary>
    /// Adds an entry read from a stored tree, which lists them in Git's order already: appended, unless it is out of
    /// order (then placed by search), so loading a tree costs no sorting.
    /// </summary>
    public void AddLoaded(string key, TreeEntry entry)
    {
        if (_slots.Count == 0 || GitNameComparer.Instance.Compare(_slots[^1].Key, key) < 0)
        {
            _slots.Add(new(key, entry));
        }
        else
        {
            Set(key, entry);
        }
    }

    public bool Remove(string key)
    {
        var at = IndexOf(key);
        if (at < 0)
        {
            return false;
        }

        _slots.RemoveAt(at);
        return true;
    }

    private int IndexOf(string key)
    {
        int low = 0, high = _slots.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = GitNameComparer.Instance.Compare(_slots[middle].Key, key);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }
}
