using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Runtime.Attacks;

/// <summary>
/// The runc CVE-2019-5736 class: code in a container reaching the host's runtime binary through /proc/self/exe
/// and overwriting it. The image ships a fake dynamic loader (tests/fixtures/attacks/exe-overwrite.c) at
/// /lib64/ld-linux-x86-64.so.2, so that whatever dynamically linked program the container executes runs it
/// first, with /proc/self/exe still that program. The entrypoint is a script starting `#!/proc/self/exe`:
/// executed by the init, it re-executes whatever the init runs from. These tests run a copy of the runtime
/// under test (an escape must not damage the shared build) and check that its bytes never change.
/// </summary>
public class ExecutableOverwriteTests
{
    private static TestBundle AttackBundle(params string[] args)
    {
        var b = new TestBundle(args);
        string rootfs = Path.Combine(b.Dir, "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "lib64"));
        File.Copy(AttackPrograms.Build("exe-overwrite"), Path.Combine(rootfs, "lib64/ld-linux-x86-64.so.2"));
        File.WriteAllText(Path.Combine(rootfs, "entry"), "#!/proc/self/exe\n");
        File.SetUnixFileMode(Path.Combine(rootfs, "entry"), (UnixFileMode)0x1ed);
        b.Process.Remove("rlimits");
        return b;
    }

    private static string CopyOfRuntime(TestBundle b)
    {
        string copy = Path.Combine(b.Dir, "skiff-runtime");
        File.Copy(RuntimeBinary.Path, copy);
        return copy;
    }

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    /// <summary>create (which exits, so the binary is no longer busy), start, then the container's output once it stops.</summary>
    private static async Task<string> CreateStartAndCollect(TestBundle b, string runtime, string id)
    {
        b.Save();
        string output = Path.Combine(b.Dir, id + ".out");
        var create = await Runner.RunAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" > \"$OUT\" 2>&1", runtime, .. b.Global("create", "--bundle", b.Dir, id)],
            env: new() { ["OUT"] = output });
        Assert.True(create.ExitCode == 0, create.Stderr + File.ReadAllText(output));
        Assert.Equal(0, (await Runner.RunAsync(runtime, b.Global("start", id))).ExitCode);
        await WaitStopped(b, runtime, id);
        return File.ReadAllText(output);
    }

    private static async Task WaitStopped(TestBundle b, string runtime, string id)
    {
        for (int i = 0; i < 300; i++)
        {
            var s = await Runner.RunAsync(runtime, b.Global("state", id));
            if (s.Stdout.Contains("\"stopped\"", StringComparison.Ordinal)) return;
            await Task.Delay(50);
        }
        Assert.Fail($"container {id} did not stop");
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task The_attack_program_really_overwrites_an_unprotected_executable()
    {
        // Control: the container runs a dynamically linked copy of a host program bound in from outside; the fake
        // loader gets it as /proc/self/exe and modifies it. This is what the runtime binary must be safe from.
        using var b = AttackBundle("/victim");
        string victim = Path.Combine(b.Dir, "victim");
        File.Copy("/usr/bin/true", victim);
        b.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/victim", ["type"] = "bind", ["source"] = victim, ["options"] = new JsonArray("bind", "rw"),
        });
        string before = Hash(victim);
        b.Save();
        string output = await CreateStartAndCollect(b, RuntimeBinary.Path, "control");
        Assert.Contains("written", output, StringComparison.Ordinal);
        Assert.NotEqual(before, Hash(victim));
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task A_container_entrypoint_cannot_overwrite_the_runtime()
    {
        using var b = AttackBundle("/entry");
        string runtime = CopyOfRuntime(b);
        string before = Hash(runtime);
        string output = await CreateStartAndCollect(b, runtime, "attack");
        Assert.True(before == Hash(runtime), $"the runtime binary was modified from inside the container:\n{output}");
        SealedExe.AssertReported(output);
        Assert.Contains("refused", output, StringComparison.Ordinal);
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task An_exec_cannot_overwrite_the_runtime()
    {
        using var b = AttackBundle("sleep", "30");
        string runtime = CopyOfRuntime(b);
        string before = Hash(runtime);
        b.Save();
        Assert.Equal(0, (await Runner.RunAsync(runtime, b.Global("run", "--bundle", b.Dir, "--detach", "target"))).ExitCode);
        string output = Path.Combine(b.Dir, "exec.out");
        // --detach: the exec command returns at once and no longer holds the binary, as with podman exec -d.
        var exec = await Runner.RunAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" > \"$OUT\" 2>&1", runtime, .. b.Global("exec", "--detach", "target", "/entry")],
            env: new() { ["OUT"] = output });
        Assert.True(exec.ExitCode == 0, File.ReadAllText(output));
        for (int i = 0; i < 200 && !File.ReadAllText(output).Contains("refused", StringComparison.Ordinal) && !File.ReadAllText(output).Contains("written", StringComparison.Ordinal); i++)
            await Task.Delay(50);
        string text = File.ReadAllText(output);
        Assert.True(before == Hash(runtime), $"the runtime binary was modified from inside the container:\n{text}");
        SealedExe.AssertReported(text);
        Assert.Contains("refused", text, StringComparison.Ordinal);
        await Runner.RunAsync(runtime, b.Global("delete", "--force", "target"));
    }

    [Fact]
    public async Task A_created_container_shows_the_sealed_copy_as_its_executable()
    {
        using var b = new TestBundle("sleep", "10");
        string pidFile = Path.Combine(b.Dir, "pid");
        Assert.Equal(0, (await b.Runtime("create", "--bundle", b.Dir, "--pid-file", pidFile, "sealed")).ExitCode);
        string exe = File.ResolveLinkTarget($"/proc/{File.ReadAllText(pidFile)}/exe", false)!.ToString();
        Assert.True(SealedExe.IsSealed(exe), $"not the sealed runtime: {exe}");
        // Written through /proc, the copy refuses: it is sealed.
        var write = await Runner.RunAsync("/bin/sh", ["-c", $"echo x >> /proc/{File.ReadAllText(pidFile)}/exe"]);
        Assert.NotEqual(0, write.ExitCode);
        await b.Runtime("delete", "--force", "sealed");
    }
}
