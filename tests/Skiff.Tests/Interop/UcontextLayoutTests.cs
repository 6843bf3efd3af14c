using System.Runtime.InteropServices;
using Skiff.Interop.Clone;

namespace Skiff.Tests.Interop;

public unsafe partial class UcontextLayoutTests
{
    [LibraryImport("libc.so.6", EntryPoint = "getcontext")]
    private static partial int GetContext(byte* ucp);

    [LibraryImport("libc.so.6", EntryPoint = "pthread_sigmask")]
    private static partial int PthreadSigmask(int how, byte* set, byte* oldset);

    [Fact]
    public void GetcontextWritesWithinTheDeclaredSizeAndTheSignalMaskWhereDeclared()
    {
        var l = UcontextLayout.Current;
        const int total = 16384;
        byte* buf = (byte*)NativeMemory.AlignedAlloc(total, 64);
        try
        {
            new Span<byte>(buf, total).Fill(0xA5);
            byte* blocked = stackalloc byte[128];
            byte* old = stackalloc byte[128];
            new Span<byte>(blocked, 128).Clear();
            blocked[0] = 1 << 1; // SIGUSR1? no: bit 1 = signal 2 (SIGINT)
            blocked[1] = 1 << 3; // signal 12 (SIGUSR2)
            Assert.Equal(0, PthreadSigmask(0 /* SIG_BLOCK */, blocked, old));
            try { Assert.Equal(0, GetContext(buf)); }
            finally { PthreadSigmask(2, old, null); }

            Assert.True(new Span<byte>(buf + l.Size, total - l.Size).IndexOfAnyExcept((byte)0xA5) < 0, "getcontext wrote past the declared size");
            ulong mask = *(ulong*)(buf + l.SigMask);
            Assert.NotEqual(0UL, mask & (1UL << 1));
            Assert.NotEqual(0UL, mask & (1UL << 11));
            if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
            {
                // uc_mcontext.fpregs (gregs[23] after uc_mcontext at 40) points at __fpregs_mem (424).
                Assert.Equal((nint)(buf + 424), *(nint*)(buf + 40 + 23 * 8));
            }
        }
        finally { NativeMemory.AlignedFree(buf); }
    }

    [Fact]
    public void LinkAndStackFieldsFollowTheHeaders()
    {
        foreach (var l in new[] { UcontextLayout.X64, UcontextLayout.Arm64 })
        {
            Assert.Equal(8, l.UcLink);
            Assert.Equal(16, l.StackPointer);
            Assert.Equal(32, l.StackSize);
            Assert.True(l.SigMask + 128 <= l.Size);
        }
        Assert.Equal(296, UcontextLayout.X64.SigMask);
        Assert.Equal(40, UcontextLayout.Arm64.SigMask);
    }
}
