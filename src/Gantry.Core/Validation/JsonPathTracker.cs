using System.Text;

namespace Gantry.Core.Validation;

/// <summary>
/// Where a <see cref="System.Text.Json.Utf8JsonReader"/> is, as the dotted path Gantry's validation errors use
/// (<c>values.resources.limits</c>, <c>services[2]</c>), and which keys each open object has named so far.
/// </summary>
internal sealed class JsonPathTracker
{
    private readonly List<Frame> _frames = [];

    public string Current
    {
        get
        {
            var path = new StringBuilder();
            foreach (var frame in _frames)
            {
                if (frame.Keys is null)
                {
                    path.Append('[').Append(frame.Index).Append(']');
                }
                else if (frame.Name is { } name)
                {
                    path.Append(path.Length == 0 ? "" : ".").Append(name);
                }
            }

            return path.ToString();
        }
    }

    public void Enter(bool isArray) => _frames.Add(new Frame(isArray ? null : new HashSet<string>(StringComparer.Ordinal)));

    public void Leave()
    {
        _frames.RemoveAt(_frames.Count - 1);
        Value();
    }

    /// <summary>Records the key of the next value; false when the object named it already.</summary>
    public bool Name(string name)
    {
        var frame = _frames[^1];
        frame.Name = name;
        return frame.Keys!.Add(name);
    }

    /// <summary>A value ended: an array moves to its next index.</summary>
    public void Value()
    {
        if (_frames.Count > 0 && _frames[^1] is { Keys: null } array)
        {
            array.Index++;
        }
    }

    private sealed class Frame(HashSet<string>? keys)
    {
        public HashSet<string>? Keys { get; } = keys;

        public string? Name { get; set; }

        public int Index { get; set; }
    }
}
