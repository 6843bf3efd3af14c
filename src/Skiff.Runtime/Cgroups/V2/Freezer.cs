namespace Skiff.Runtime.Cgroups.V2;

/// <summary>v2 freezer: cgroup.freeze 1 or 0, then cgroup.events says when "frozen" follows.</summary>
public static class Freezer
{
    public static void Freeze(CgroupDir dir) => SetAndWait(dir, "1");

    public static void Thaw(CgroupDir dir) => SetAndWait(dir, "0");

    public static bool IsFrozen(CgroupDir dir) => dir.Has("cgroup.freeze") && dir.Read("cgroup.freeze") == "1";

    private static void SetAndWait(CgroupDir dir, string value)
    {
        if (!dir.Has("cgroup.freeze")) throw new RuntimeException($"cgroup {dir.Path} has no freezer (cgroup.freeze needs Linux 5.2)");
        dir.Write("cgroup.freeze", value);
        // The kernel updates "frozen" in cgroup.events once every task has stopped (or resumed).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int delay = 1;
        while (dir.ReadKeyValues("cgroup.events").GetValueOrDefault("frozen").ToString(System.Globalization.CultureInfo.InvariantCulture) != value)
        {
            if (DateTime.UtcNow > deadline)
            {
                if (value == "1") dir.Write("cgroup.freeze", "0");
                throw new RuntimeException($"cgroup {dir.Path}: the processes did not {(value == "1" ? "freeze" : "thaw")} within 10 seconds");
            }
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
    }
}
