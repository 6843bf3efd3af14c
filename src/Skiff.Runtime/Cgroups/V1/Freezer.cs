namespace Skiff.Runtime.Cgroups.V1;

/// <summary>
/// v1 freezer.state: FROZEN is written until it reads back FROZEN rather than FREEZING (v1 cannot always
/// freeze a cgroup whose processes keep forking in one go: runc's loop, with an occasional thaw and
/// pause); a failure leaves the cgroup thawed. THAWED thaws.
/// </summary>
public static class Freezer
{
    public const string Name = "freezer";

    public static void Freeze(CgroupDir dir)
    {
        try
        {
            for (int i = 0; i < 1000; i++)
            {
                if (i % 50 == 49)
                {
                    dir.Write("freezer.state", "THAWED");
                    Thread.Sleep(10);
                }
                dir.Write("freezer.state", "FROZEN");
                if (i % 25 == 24) Thread.Sleep(1);
                string state = dir.Read("freezer.state");
                if (state == "FROZEN") return;
                if (state != "FREEZING") throw new RuntimeException($"freezer {dir.Path}: unexpected state {state} after writing FROZEN");
            }
            throw new RuntimeException($"unable to freeze the processes of {dir.Path}");
        }
        catch
        {
            try { dir.Write("freezer.state", "THAWED"); }
            catch (Skiff.Interop.ErrnoException) { }
            throw;
        }
    }

    public static void Thaw(CgroupDir dir) => dir.Write("freezer.state", "THAWED");

    public static bool IsFrozen(CgroupDir dir) => dir.Read("freezer.state") is "FROZEN" or "FREEZING";
}
