using Skiff.Engine.Rootless;

namespace Skiff.Tests.Engine;

public sealed class SubordinateIdsTests
{
    [Fact]
    public void Ranges_match_by_name_or_uid_in_file_order()
    {
        var r = SubordinateIds.Parse("# c\nbob:100000:65536\nalice:165536:65536\n1001:300000:10\nalice:bad:1\nalice:400000:0\n", "alice", 1001);
        Assert.Equal([new IdRange(165536, 65536), new IdRange(300000, 10)], r);
    }

    [Fact]
    public void Map_arguments_put_the_caller_at_zero_and_stack_the_ranges()
        => Assert.Equal(["0", "1000", "1", "1", "100000", "65536", "65537", "300000", "10"],
            SubordinateIds.MapArguments(1000, [new IdRange(100000, 65536), new IdRange(300000, 10)]));
}
