namespace Skiff.Engine.Lifecycle;

/// <summary>
/// podman's --detach-keys: a comma-separated sequence of keys ("ctrl-p,ctrl-q", the default; a single character
/// "a"; "ctrl-X" for X in a-z, @, [, \, ], ^, _), or "" for none. <see cref="Filter"/> watches the user's input for
/// the sequence: bytes that could start it are held back until they either complete it (detach) or cannot (they are
/// passed on), so a partial sequence is never lost and the keys themselves never reach the container.
/// </summary>
public sealed class DetachKeys
{
    public const string Default = "ctrl-p,ctrl-q";

    private readonly byte[] _keys;
    private int _matched;

    private DetachKeys(byte[] keys) => _keys = keys;

    /// <summary>The sequence; empty when detaching by keys is disabled.</summary>
    public ReadOnlySpan<byte> Keys => _keys;

    public static DetachKeys Parse(string? spec)
    {
        spec ??= Default;
        if (spec.Length == 0) return new DetachKeys([]);
        var keys = new List<byte>();
        foreach (string key in spec.Split(','))
        {
            if (key.Length == 1 && key[0] < 0x80) keys.Add((byte)key[0]);
            else if (key.Length == 6 && key.StartsWith("ctrl-", StringComparison.Ordinal) && Control(key[5]) is byte b) keys.Add(b);
            else throw new EngineException($"invalid detach keys \"{spec}\": \"{key}\" is not a single character or ctrl-X (X one of a-z @ [ \\ ] ^ _)");
        }
        return new DetachKeys([.. keys]);
    }

    private static byte? Control(char c) => c switch
    {
        >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
        '@' => 0,
        '[' => 27,
        '\\' => 28,
        ']' => 29,
        '^' => 30,
        '_' => 31,
        _ => null,
    };

    /// <summary>
    /// Feeds a chunk of input: appends what should reach the container to <paramref name="output"/> and says
    /// whether the whole sequence was typed (everything after it in the chunk is dropped, as podman does).
    /// </summary>
    public bool Filter(ReadOnlySpan<byte> input, List<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_keys.Length == 0)
        {
            foreach (byte b in input) output.Add(b);
            return false;
        }
        foreach (byte b in input)
        {
            if (b == _keys[_matched])
            {
                if (++_matched == _keys.Length) { _matched = 0; return true; }
                continue;
            }
            // The held bytes and this one are not the sequence: pass on bytes from the front until what is left
            // could still start it again (for "a,a,b", "a a a" keeps the last two).
            int start = 1;
            while (start <= _matched && !StartsSequence(start, b)) start++;
            for (int i = 0; i < start && i < _matched; i++) output.Add(_keys[i]);
            if (start > _matched) { output.Add(b); _matched = 0; }
            else _matched = _matched - start + 1;
        }
        return false;
    }

    /// <summary>Whether the held bytes from <paramref name="start"/> on, followed by <paramref name="next"/>, are a
    /// prefix of the sequence.</summary>
    private bool StartsSequence(int start, byte next)
    {
        int n = _matched - start;
        for (int i = 0; i < n; i++)
            if (_keys[start + i] != _keys[i]) return false;
        return _keys[n] == next;
    }
}
