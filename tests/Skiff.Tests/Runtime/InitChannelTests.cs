using Skiff.Interop;
using Skiff.Runtime;
using Skiff.Runtime.Init;

namespace Skiff.Tests.Runtime;

/// <summary>The messages between create and the init survive the socketpair whole, fds included; garbage is refused by name.</summary>
public class InitChannelTests
{
    [Fact]
    public void TheSetupErrorsAndTextsArriveAsSent()
    {
        var (a, b) = Libc.SocketPair();
        using var create = new InitChannel(a);
        using var init = new InitChannel(b);
        var (read, write) = Libc.Pipe2();
        using (read)
        {
            create.SendSetup(new InitSetup
            {
                Id = "c-1", Bundle = "/b/ü", Pid = 4242, NoPivot = true, PreserveFds = 3, SeccompListener = true, IdmappedMounts = [2, 5],
            }, write.Fd);
            using var message = init.Receive()!;
            Assert.Equal(InitMessageKind.Setup, message.Kind);
            var setup = InitChannel.ReadSetup(message);
            Assert.Equal(("c-1", "/b/ü", 4242, true, false, 3, false, true), (setup.Id, setup.Bundle, setup.Pid, setup.NoPivot, setup.NoNewKeyring,
                setup.PreserveFds, setup.ConsoleSocket, setup.SeccompListener));
            Assert.Equal([2, 5], setup.IdmappedMounts!);
            write.Dispose();
            using (var passed = message.TakeFd(0)) Libc.WriteAll(passed.Fd, "x"u8); // the pipe's write end, passed over the channel
            Assert.Equal("x"u8.ToArray(), Libc.ReadToEnd(read.Fd));
        }

        var filter = Skiff.Runtime.Seccomp.SeccompCompiler.Compile(
            new Skiff.Oci.Runtime.LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", Syscalls = [new() { Names = ["read", "write"], Action = "SCMP_ACT_ALLOW" }] },
            System.Runtime.InteropServices.Architecture.X64);
        create.SendSetup(new InitSetup { Id = "c-2", Bundle = "/b", Seccomp = filter });
        using (var withFilter = init.Receive()!)
        {
            var setup = InitChannel.ReadSetup(withFilter);
            Assert.Null(setup.IdmappedMounts);
            Assert.Equal(filter.Program, setup.Seccomp!.Program);
            Assert.Equal((filter.Flags, filter.UsesListener), (setup.Seccomp.Flags, setup.Seccomp.UsesListener));
        }
        create.SendSetup(new InitSetup { Id = "c-3", Bundle = "/b" });
        using (var plain = init.Receive()!) Assert.Null(InitChannel.ReadSetup(plain).Seccomp);

        init.SendError(126, "no such\nprogram");
        using (var error = create.Receive()!)
        {
            var e = InitChannel.ReadError(error);
            Assert.Equal((126, "no such program"), (e.Code, e.Message));
        }
        init.SendText(InitMessageKind.Warning, "RLIMIT_NOFILE clamped");
        using (var text = create.Receive()!) Assert.Equal("RLIMIT_NOFILE clamped", InitChannel.ReadText(text));
        create.Send(InitMessageKind.HooksDone);
        using (var empty = init.Receive()!) Assert.Equal("", InitChannel.ReadText(empty));
    }

    [Fact]
    public void AMalformedMessageIsRefusedByName()
    {
        var (a, b) = Libc.SocketPair();
        using var create = new InitChannel(a);
        using var init = new InitChannel(b);
        create.Send(InitMessageKind.Setup, [1, 2, 3]);
        using var message = init.Receive()!;
        var e = Assert.Throws<RuntimeException>(() => InitChannel.ReadSetup(message));
        Assert.Equal("the init channel sent a malformed Setup message", e.Message);
    }
}
