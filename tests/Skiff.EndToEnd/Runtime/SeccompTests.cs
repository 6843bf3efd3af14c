using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.EndToEnd.Harness;
using Skiff.Interop;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Runtime;

/// <summary>
/// linux.seccomp compiled by skiff-runtime and installed in the container, seen from inside with a syscall probe
/// (tests/fixtures/probes/syscall.c, x86_64 numbers): errno actions, argument conditions, kill, the listener.
/// </summary>
public class SeccompTests
{
    private const int SysGetppid = 110, SysAddKey = 248, SysPersonality = 135;

    private static TestBundle ProbeBundle(JsonObject seccomp, params string[] script)
    {
        var b = new TestBundle("sh", "-c", string.Join("; ", script));
        File.Copy(AttackPrograms.Build("probes/syscall"), Path.Combine(b.Dir, "rootfs/bin/probe"));
        b.Config["linux"]!["seccomp"] = seccomp;
        return b;
    }

    private static JsonObject Rule(string name, string action, int? errno = null, params JsonObject[] args)
    {
        var rule = new JsonObject { ["names"] = new JsonArray(name), ["action"] = action };
        if (errno is int e) rule["errnoRet"] = e;
        if (args.Length > 0) rule["args"] = new JsonArray([.. args]);
        return rule;
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task Errno_rules_argument_conditions_and_the_default_action_apply_inside()
    {
        var seccomp = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
            ["syscalls"] = new JsonArray(
                Rule("add_key", "SCMP_ACT_ERRNO", 99),
                Rule("personality", "SCMP_ACT_ERRNO", 7, new JsonObject { ["index"] = 0, ["value"] = 0x40000, ["op"] = "SCMP_CMP_EQ" })),
        };
        using var b = ProbeBundle(seccomp, $"probe {SysAddKey}", $"probe {SysPersonality} 0x40000", $"probe {SysPersonality} 0xffffffff", "grep Seccomp: /proc/self/status");
        var r = await b.Runtime("run", "--bundle", b.Dir, "sc1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("errno 99\nerrno 7\nok 0\nSeccomp:\t2\n", r.Stdout);
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task A_kill_rule_kills_the_process_with_SIGSYS()
    {
        var seccomp = new JsonObject { ["defaultAction"] = "SCMP_ACT_ALLOW", ["syscalls"] = new JsonArray(Rule("add_key", "SCMP_ACT_KILL_PROCESS")) };
        using var b = ProbeBundle(seccomp, $"probe {SysAddKey}; echo status $?");
        var r = await b.Runtime("run", "--bundle", b.Dir, "sc2");
        Assert.Equal("status 159\n", r.Stdout); // 128 + SIGSYS
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task An_errno_default_with_no_new_privileges_and_a_bad_profile_is_a_create_error()
    {
        var seccomp = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ERRNO", ["defaultErrnoRet"] = 38,
            ["syscalls"] = new JsonArray(new JsonObject
            {
                ["names"] = new JsonArray("read", "write", "exit", "exit_group", "execve", "brk", "mmap", "arch_prctl", "rt_sigaction",
                    "rt_sigprocmask", "getpid", "wait4", "clone", "fork", "vfork", "getppid", "dup2", "fcntl", "close", "openat", "newfstatat",
                    "fstat", "stat", "lseek", "ioctl", "getuid", "geteuid", "getgid", "getegid", "setpgid", "getpgrp", "prctl", "capset",
                    "capget", "setgroups", "setresuid", "setresgid", "chdir", "fchdir", "umask", "rt_sigreturn", "set_tid_address", "uname",
                    "access", "faccessat", "readlink", "getcwd", "sigaltstack", "munmap", "mprotect", "dup3", "pipe", "pipe2", "getrandom", "close_range"),
                ["action"] = "SCMP_ACT_ALLOW",
            }),
        };
        using var b = ProbeBundle(seccomp, $"probe {SysAddKey}", "grep NoNewPrivs: /proc/self/status");
        b.Process["noNewPrivileges"] = true;
        var r = await b.Runtime("run", "--bundle", b.Dir, "sc3");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("errno 38\nNoNewPrivs:\t1\n", r.Stdout);

        b.Config["linux"]!["seccomp"] = new JsonObject { ["defaultAction"] = "SCMP_ACT_BOGUS" };
        var bad = await b.Runtime("create", "--bundle", b.Dir, "sc4");
        Assert.Equal(1, bad.ExitCode);
        Assert.Single(bad.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("SCMP_ACT_BOGUS", bad.Stderr, StringComparison.Ordinal);
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task A_notify_rule_sends_the_listener_with_the_state_to_listenerPath()
    {
        using var b0 = new TestBundle("true");
        string socketPath = Path.Combine(b0.Dir, "agent.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        var agent = Task.Run(() =>
        {
            using var connection = listener.Accept();
            var fds = new List<SafeFd>();
            byte[] buffer = new byte[64 * 1024];
            int n = Libc.ReceiveWithFds((int)connection.Handle, buffer, fds);
            // Closing the listener makes the waiting system call fail with ENOSYS: the container goes on.
            foreach (var fd in fds) fd.Dispose();
            return (Encoding.UTF8.GetString(buffer, 0, n), fds.Count);
        });
        var seccomp = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW", ["listenerPath"] = socketPath, ["listenerMetadata"] = "skiff-test",
            ["syscalls"] = new JsonArray(Rule("getppid", "SCMP_ACT_NOTIFY")),
        };
        using var b = ProbeBundle(seccomp, $"probe {SysGetppid}");
        var run = b.Runtime("run", "--bundle", b.Dir, "sc5");
        var (message, fdCount) = await agent.WaitAsync(TimeSpan.FromSeconds(30));
        var r = await run;
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("errno 38\n", r.Stdout);
        Assert.Equal(1, fdCount);
        var state = JsonNode.Parse(message)!;
        Assert.Equal(["seccompFd"], state["fds"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("skiff-test", state["metadata"]!.GetValue<string>());
        Assert.Equal("sc5", state["state"]!["id"]!.GetValue<string>());
        Assert.True(state["pid"]!.GetValue<int>() > 1);
    }
}
