using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// Without $XDG_RUNTIME_DIR (a `su` or cron session), rootless skiff and skiff-runtime keep their run state in
/// /tmp/skiff-run-UID and /tmp/skiff-runtime-UID, names another user can take first. Each test runs in a mount
/// namespace of its own with a fresh tmpfs on /tmp, plants the names there as another user would, and runs the test
/// user's skiff: it must refuse, say why, and leave the planted target alone.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class RunDirectoryAttackTests(SkiffEnvironment env)
{
    /// <summary>
    /// Runs <paramref name="plant"/> (as root, in /tmp), then skiff ps and skiff-runtime list as the test user, then
    /// lists the planted target and runs <paramref name="after"/>; all in a private mount namespace where the binaries
    /// are reached through /mnt. UID in the scripts is the test user's uid.
    /// </summary>
    private CommandResult InPrivateTmp(string plant, string after = "")
    {
        string uid = Command.Must("id", "-u", env.TestUser).Stdout.Trim();
        string home = Command.Must("getent", "passwd", env.TestUser).Stdout.Split(':')[5];
        string asUser = $"runuser -u {env.TestUser} -- env -i HOME={home} PATH=/usr/bin:/bin";
        string script = $"""
            set -e
            mount --bind '{env.Work}' /mnt
            mount -t tmpfs tmpfs /tmp
            mkdir -m 0777 /tmp/target
            {plant.Replace("UID", uid, StringComparison.Ordinal)}
            set +e
            {asUser} /mnt/bin/skiff ps; echo "skiff exit $?"
            {asUser} /mnt/bin/skiff-runtime list; echo "skiff-runtime exit $?"
            echo "target holds: $(ls -A /tmp/target)"
            {after.Replace("UID", uid, StringComparison.Ordinal)}
            """;
        return Command.Run("unshare", ["-m", "--propagation", "private", "sh", "-c", script]);
    }

    [RootFact]
    public void A_symlink_planted_at_the_fallback_run_directory_is_refused_and_not_followed()
    {
        var r = InPrivateTmp("ln -s /tmp/target /tmp/skiff-run-UID; ln -s /tmp/target /tmp/skiff-runtime-UID");
        Assert.Contains("skiff exit 125\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("skiff-runtime exit 1\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("target holds: \n", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Error: the run directory: /tmp/skiff-run-\d+ is a symbolic link, not a directory: remove it \(someone may have planted it\), or set XDG_RUNTIME_DIR to a directory of yours$", r.Stderr);
        Assert.Matches(@"(?m)^skiff-runtime: the state directory: /tmp/skiff-runtime-\d+ is a symbolic link, not a directory", r.Stderr);
    }

    [RootFact]
    public void A_directory_another_user_made_at_the_fallback_run_directory_is_refused_and_left_alone()
    {
        var r = InPrivateTmp("mkdir -m 0777 /tmp/skiff-run-UID /tmp/skiff-runtime-UID; touch /tmp/skiff-run-UID/planted",
            after: "echo \"left: $(stat -c '%U %a' /tmp/skiff-run-UID) $(ls -A /tmp/skiff-run-UID)\"");
        Assert.Contains("skiff exit 125\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("skiff-runtime exit 1\n", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Error: the run directory: /tmp/skiff-run-\d+ belongs to uid 0, not to you \(uid \d+\): remove it, or set XDG_RUNTIME_DIR to a directory of yours$", r.Stderr);
        Assert.Matches(@"(?m)^skiff-runtime: the state directory: /tmp/skiff-runtime-\d+ belongs to uid 0, not to you", r.Stderr);
        // Left as it was: not taken over, not chmod'ed, its contents kept.
        Assert.Contains("left: root 777 planted\n", r.Stdout, StringComparison.Ordinal);
    }
}
