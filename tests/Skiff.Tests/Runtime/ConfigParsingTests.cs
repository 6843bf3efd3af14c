using Skiff.Interop;
using Skiff.Runtime;
using Skiff.Runtime.Config;
using Skiff.Runtime.State;

namespace Skiff.Tests.Runtime;

public class ConfigParsingTests
{
    [Theory]
    [InlineData(1048576UL, 1048576UL, 20000UL, 20000UL, 20000UL)]
    [InlineData(1024UL, 1048576UL, 20000UL, 1024UL, 20000UL)]
    [InlineData(100UL, 200UL, 20000UL, 100UL, 200UL)]
    [InlineData(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue)]
    public void RlimitsAreClampedToTheCurrentHardLimit(ulong soft, ulong hard, ulong current, ulong wantSoft, ulong wantHard)
    {
        Assert.Equal((wantSoft, wantHard), Rlimits.Clamp(soft, hard, current));
    }

    [Fact]
    public void RlimitNamesMapToResources()
    {
        Assert.Equal(Libc.RLIMIT_NOFILE, Rlimits.Resource("RLIMIT_NOFILE"));
        Assert.Equal(Libc.RLIMIT_NPROC, Rlimits.Resource("rlimit_nproc"));
        Assert.Throws<RuntimeException>(() => Rlimits.Resource("RLIMIT_BOGUS"));
    }

    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("SIGKILL", 9)]
    [InlineData("sigint", 2)]
    [InlineData("9", 9)]
    [InlineData("HUP", 1)]
    [InlineData("SIGRTMIN", 34)]
    [InlineData("RTMIN+3", 37)]
    [InlineData("SIGRTMAX-1", 63)]
    [InlineData("WINCH", 28)]
    public void SignalsParseByNameAndNumber(string text, int expected) => Assert.Equal(expected, Signals.Parse(text));

    [Theory]
    [InlineData("BOGUS")]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("RTMIN-1")]
    [InlineData("-9")]
    public void BadSignalsAreRejected(string text) => Assert.Throws<RuntimeException>(() => Signals.Parse(text));

    [Fact]
    public void ProcStatParsesCommandsWithSpacesAndParentheses()
    {
        string line = "1234 (we ird) (name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615";
        var stat = ProcStat.Parse(line);
        Assert.Equal(new ProcStat('S', 987654), stat);
        Assert.Null(ProcStat.Parse("garbage"));
    }

    [Fact]
    public void ProcStatOfThisProcessIsRunningOrSleeping()
    {
        var stat = ProcStat.Read(Environment.ProcessId);
        Assert.NotNull(stat);
        Assert.True(stat.Value.StartTime > 0);
        Assert.Null(ProcStat.Read(int.MaxValue));
    }

    [Fact]
    public void CapabilityNamesAndMasks()
    {
        Assert.Equal(0, CapabilityNames.Number("CAP_CHOWN"));
        Assert.Equal(21, CapabilityNames.Number("CAP_SYS_ADMIN"));
        Assert.Equal(40, CapabilityNames.Number("checkpoint_restore"));
        Assert.Equal(-1, CapabilityNames.Number("CAP_NOPE"));
        Assert.Equal((1UL << 0) | (1UL << 10), CapabilityNames.Mask(["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_NOPE"]));
    }

    [Fact]
    public void ContainerIdsAreChecked()
    {
        Assert.Equal("abc-1_2.3", StateStore.ValidateId("abc-1_2.3"));
        Assert.Throws<RuntimeException>(() => StateStore.ValidateId("../x"));
        Assert.Throws<RuntimeException>(() => StateStore.ValidateId("a/b"));
        Assert.Throws<RuntimeException>(() => StateStore.ValidateId(""));
    }
}
