namespace Skiff.EndToEnd.Runtime.Attacks;

/// <summary>
/// What /proc/PID/exe shows for a process started from the runtime's sealed form: the binary seen through a
/// detached read-only overlayfs ("/skiff-runtime", its path inside a mount that belongs to no namespace) or,
/// where the kernel refuses that, a sealed memfd copy ("/memfd:skiff-runtime (deleted)"). Never the host path.
/// </summary>
public static class SealedExe
{
    public static bool IsSealed(string exe) =>
        exe == "/skiff-runtime" || exe.StartsWith("/memfd:skiff-runtime", StringComparison.Ordinal);

    /// <summary>The attack program's "exe LINK" line names a sealed form.</summary>
    public static void AssertReported(string output)
    {
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("exe ", StringComparison.Ordinal));
        Assert.True(line is not null && IsSealed(line[4..]), $"the program did not run from the sealed runtime:\n{output}");
    }
}
