using System.Runtime.InteropServices;
using System.Text;

namespace Skiff.Interop.Clone;

/// <summary>
/// Native memory that a cloned child reads while it shares our address space: strings, pointer
/// arrays, contexts and stacks. Nothing here moves, and all of it is freed at once, only after
/// the child has exec'd or died.
/// </summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private readonly List<nint> _blocks = [];

    public byte* Alloc(int size)
    {
        var p = (byte*)NativeMemory.AlignedAlloc((nuint)size, 64);
        NativeMemory.Clear(p, (nuint)size);
        _blocks.Add((nint)p);
        return p;
    }

    public byte* CString(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        if (s.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("clone: a string holds a NUL byte", nameof(s));
        byte* p = Alloc(n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        return p;
    }

    /// <summary>A NULL-terminated char*[] (argv, envp).</summary>
    public byte** CStringArray(IReadOnlyList<string> items)
    {
        var array = (byte**)Alloc((items.Count + 1) * sizeof(nint));
        for (int i = 0; i < items.Count; i++) array[i] = CString(items[i]);
        return array;
    }

    public void Dispose()
    {
        foreach (nint p in _blocks) NativeMemory.AlignedFree((void*)p);
        _blocks.Clear();
    }
}
