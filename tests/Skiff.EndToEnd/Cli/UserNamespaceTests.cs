using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// --userns keep-id as podman 4.3 does it rootless (compared side by side as skifftest): the user's own ids inside,
/// the rest of the namespace around them, a passwd entry, the image's files still root's, and bind mounts written as
/// the user. As root podman refuses keep-id.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class UserNamespaceTests(SkiffEnvironment env)
{
    private (uint Uid, uint Gid) TestIds()
    {
        string[] f = Command.Must("getent", "passwd", env.TestUser).Stdout.Trim().Split(':');
        return (uint.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), uint.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static List<string[]> MapRows(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    [RootFact]
    public void Rootless_keep_id_runs_as_the_user_with_podmans_maps_passwd_entry_and_root_owned_image_files()
    {
        Assert.Equal(0, env.SkiffRootless("pull", "--tls-verify=false", env.Busybox).ExitCode);
        var (uid, gid) = TestIds();
        string data = Path.Combine(env.Work, "keep-id-data");
        Directory.CreateDirectory(data);
        Command.Must("chown", $"{uid}:{gid}", data);

        var r = env.SkiffRootless("run", "--rm", "--userns", "keep-id", "-v", $"{data}:/data", env.Busybox, "sh", "-c",
            "id -u; id -g; tail -1 /etc/passwd; tail -1 /etc/group; echo $HOME; pwd; stat -c %u:%g / /bin /bin/busybox /etc/passwd /etc/hosts; "
            + "touch /data/made-inside; cat /proc/self/uid_map; echo gid; cat /proc/self/gid_map");
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n');
        Assert.Equal($"{uid}", lines[0]);
        Assert.Equal($"{gid}", lines[1]);
        Assert.Equal($"{env.TestUser}:*:{uid}:{gid}::/:/bin/sh", lines[2]);
        Assert.Equal($"{env.TestUser}:x:{gid}:{env.TestUser}", lines[3]);
        Assert.Equal("/", lines[4]); // the user's home is not in the container: the working directory, as podman 4.3
        Assert.Equal("/", lines[5]);
        // The image's files (and the engine's /etc files) are root's inside, as in the image.
        Assert.Equal(["0:0", "0:0", "0:0", "0:0", "0:0"], lines[6..11]);
        int gidAt = Array.IndexOf(lines, "gid");
        // podman's maps: container 0..uid-1 are the subordinate ids 1..uid, uid is the user, the rest are themselves.
        string[][] uidMap = [["0", "1", $"{uid}"], [$"{uid}", "0", "1"], [$"{uid + 1}", $"{uid + 1}", $"{65536 - uid}"]];
        string[][] gidMap = [["0", "1", $"{gid}"], [$"{gid}", "0", "1"], [$"{gid + 1}", $"{gid + 1}", $"{65536 - gid}"]];
        Assert.Equal(uidMap, MapRows(string.Join('\n', lines[11..gidAt])));
        Assert.Equal(gidMap, MapRows(string.Join('\n', lines[(gidAt + 1)..])));
        // What the container wrote in the user's directory is the user's on the host.
        Assert.Equal($"{uid}:{gid}\n", Command.Must("stat", "-c", "%u:%g", Path.Combine(data, "made-inside")).Stdout);

        // The user's home, once in the container, is HOME.
        string home = Command.Must("getent", "passwd", env.TestUser).Stdout.Trim().Split(':')[5];
        var withHome = env.SkiffRootless("run", "--rm", "--userns", "keep-id", "-v", $"{data}:{home}", env.Busybox, "sh", "-c", "echo $HOME; tail -1 /etc/passwd");
        Assert.True(withHome.ExitCode == 0, withHome.ToString());
        Assert.Equal($"{home}\n{env.TestUser}:*:{uid}:{gid}::{home}:/bin/sh\n", withHome.Stdout);
    }

    [RootFact]
    public void Rootless_keep_id_with_uid_and_gid_maps_those_ids_to_the_user()
    {
        Assert.Equal(0, env.SkiffRootless("pull", "--tls-verify=false", env.Busybox).ExitCode);
        var r = env.SkiffRootless("run", "--rm", "--userns", "keep-id:uid=5,gid=7", env.Busybox, "sh", "-c",
            "id -u; id -g; tail -1 /etc/passwd; tail -1 /etc/group; stat -c %u /bin; cat /proc/self/uid_map");
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n');
        Assert.Equal(["5", "7", "5:*:5:7:container user:/:/bin/sh", "7:x:7:5", "0"], lines[..5]);
        Assert.Equal([["0", "1", "5"], ["5", "0", "1"], ["6", "6", "65531"]], MapRows(string.Join('\n', lines[5..])));

        var bad = env.SkiffRootless("run", "--rm", "--userns", "keep-id:size=3", env.Busybox, "true");
        Assert.Equal(125, bad.ExitCode);
        Assert.Equal("Error: unknown option specified: \"size\"\n", bad.Stderr);
    }

    [RootFact]
    public void Rootless_exec_enters_a_keep_id_container_and_inspect_shows_the_mode()
    {
        Assert.Equal(0, env.SkiffRootless("pull", "--tls-verify=false", env.Busybox).ExitCode);
        var (uid, _) = TestIds();
        var run = env.SkiffRootless("run", "-d", "--name", "keepid-exec", "--userns", "keep-id", env.Busybox, "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            var exec = env.SkiffRootless("exec", "keepid-exec", "sh", "-c", "id -u; cat /proc/self/uid_map | wc -l; stat -c %u /etc");
            Assert.True(exec.ExitCode == 0, exec.ToString());
            Assert.Equal($"{uid}\n3\n0\n", exec.Stdout);
            Assert.Equal("private\n", env.SkiffRootless("inspect", "--format", "{{.HostConfig.UsernsMode}}", "keepid-exec").Stdout);
        }
        finally
        {
            env.SkiffRootless("rm", "-f", "-t", "0", "keepid-exec");
        }
        var host = env.SkiffRootless("create", "--name", "userns-host", "--userns", "host", env.Busybox, "true");
        Assert.True(host.ExitCode == 0, host.ToString());
        Assert.Equal("\n", env.SkiffRootless("inspect", "--format", "{{.HostConfig.UsernsMode}}", "userns-host").Stdout);
        env.SkiffRootless("rm", "userns-host");
    }

    [RootFact]
    public void Keep_id_as_root_and_unknown_modes_are_refused_with_podmans_words()
    {
        var root = env.Skiff("run", "--rm", "--userns", "keep-id", env.Busybox, "true");
        Assert.Equal(125, root.ExitCode);
        Assert.Equal("Error: keep-id is only supported in rootless mode\n", root.Stderr);
        var create = env.Skiff("create", "--userns", "keep-id:uid=5", env.Busybox, "true");
        Assert.Equal(125, create.ExitCode);
        Assert.Equal("Error: keep-id is only supported in rootless mode\n", create.Stderr);

        var bogus = env.Skiff("run", "--rm", "--userns", "bogus", env.Busybox, "true");
        Assert.Equal(125, bogus.ExitCode);
        Assert.Equal("Error: unrecognized namespace mode bogus passed\n", bogus.Stderr);
    }
}
