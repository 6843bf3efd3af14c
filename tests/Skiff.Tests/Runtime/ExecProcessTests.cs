using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Options;

namespace Skiff.Tests.Runtime;

/// <summary>The process `exec` runs: --process FILE, or the container's process with the exec flags applied.</summary>
public sealed class ExecProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-sec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Spec Container() => new()
    {
        Process = new Process
        {
            Args = ["sleep", "100"],
            Env = ["PATH=/bin", "A=old"],
            Cwd = "/",
            User = new User { Uid = 0, Gid = 0, AdditionalGids = [1] },
            Capabilities = new Capabilities { Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Permitted = ["CAP_KILL"] },
            NoNewPrivileges = true,
            Terminal = true,
        },
    };

    [Fact]
    public void ExecAppliesItsFlagsToTheContainersProcess()
    {
        var container = Container();
        var p = ExecProcess.Build(new ExecOptions
        {
            Id = "c1", Args = ["id", "-u"], Cwd = "/tmp", Env = ["A=new", "B=2"], Uid = 1000, Gid = 100, AdditionalGids = [5],
            Capabilities = ["net_admin", "CAP_KILL"], NoNewPrivileges = false, AppArmorProfile = "a", ProcessLabel = "l",
        }, container);
        Assert.Equal(["id", "-u"], p.Args);
        Assert.Equal("/tmp", p.Cwd);
        Assert.Equal(["PATH=/bin", "A=new", "B=2"], p.Env);
        Assert.Equal((1000u, 100u), (p.User.Uid, p.User.Gid));
        Assert.Equal([1u, 5u], p.User.AdditionalGids!);
        Assert.Equal(["CAP_KILL", "CAP_NET_ADMIN"], p.Capabilities!.Bounding!);
        Assert.Equal(["CAP_NET_ADMIN", "CAP_KILL"], p.Capabilities.Ambient!);
        Assert.Equal(["CAP_NET_ADMIN", "CAP_KILL"], p.Capabilities.Inheritable!);
        Assert.False(p.NoNewPrivileges);
        Assert.False(p.Terminal); // off unless --tty, as runc
        Assert.Equal(("a", "l"), (p.ApparmorProfile, p.SelinuxLabel));
        // The container's own process is untouched.
        Assert.Equal(["sleep", "100"], container.Process!.Args);
        Assert.Equal(["PATH=/bin", "A=old"], container.Process.Env);
        var plain = ExecProcess.Build(new ExecOptions { Id = "c1", Args = ["sh"], Tty = true }, Container());
        Assert.True(plain.Terminal);
        Assert.True(plain.NoNewPrivileges);
        Assert.Equal((0u, 0u), (plain.User.Uid, plain.User.Gid));
    }

    [Fact]
    public void ExecWithAProcessFileTakesItAsItIs()
    {
        string file = Path.Combine(_dir, "process.json");
        File.WriteAllText(file, """{"args":["ls","/"],"cwd":"/root","env":["X=1"],"user":{"uid":7,"gid":8},"terminal":true}""");
        var p = ExecProcess.Build(new ExecOptions { Id = "c1", ProcessFile = file, Cwd = "/ignored", Env = ["IGNORED=1"] }, Container());
        Assert.Equal(["ls", "/"], p.Args!);
        Assert.Equal(("/root", 7u, true), (p.Cwd, p.User.Uid, p.Terminal));
        Assert.Equal(["X=1"], p.Env!);
        File.WriteAllText(file, """{"args":[],"cwd":"/"}""");
        Assert.Contains("process.args is empty", Assert.Throws<RuntimeException>(() => ExecProcess.Build(new ExecOptions { Id = "c1", ProcessFile = file }, Container())).Message,
            StringComparison.Ordinal);
        File.WriteAllText(file, """{"args":["ls"],"cwd":"relative"}""");
        Assert.Contains("is not absolute", Assert.Throws<RuntimeException>(() => ExecProcess.Build(new ExecOptions { Id = "c1", ProcessFile = file }, Container())).Message,
            StringComparison.Ordinal);
        File.WriteAllText(file, """{"args": ["ls",""");
        Assert.StartsWith($"--process {file}: invalid JSON", Assert.Throws<RuntimeException>(() => ExecProcess.Load(file)).Message, StringComparison.Ordinal);
        Assert.Equal($"--process {file}.none: no such file", Assert.Throws<RuntimeException>(() => ExecProcess.Load(file + ".none")).Message);
    }
}
