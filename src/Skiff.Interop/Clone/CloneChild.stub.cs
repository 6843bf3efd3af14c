// TEMPORARY: the contract of the runtime part's clone trampoline, so the engine compiles before it lands. Deleted at merge.
namespace Skiff.Interop;

public sealed class CloneStartInfo
{
    public required string Path { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public ulong NamespaceFlags { get; init; }
    public int ParentDeathSignal { get; init; } = 9;
    public IReadOnlyList<int> ExtraFds { get; init; } = [];
    public bool NewSession { get; init; }
}

public static class CloneFlags
{
    public const ulong NewNs = 0x20000, NewCgroup = 0x02000000, NewUts = 0x04000000, NewIpc = 0x08000000, NewUser = 0x10000000, NewPid = 0x20000000, NewNet = 0x40000000;
}

public sealed class CloneChild : IDisposable
{
    public static CloneChild Start(CloneStartInfo info) => throw new NotImplementedException(info.Path);
    public int Pid { get; }
    public void Release() => throw new NotImplementedException();
    public int WaitForExit() => throw new NotImplementedException();
    public static CloneChild Run(CloneStartInfo info) => throw new NotImplementedException(info.Path);
    public void Dispose() { }
}
