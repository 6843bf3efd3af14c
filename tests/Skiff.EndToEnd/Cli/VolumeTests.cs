using System.Text.Json;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// Volumes and mounts: the volume verbs, -v/--mount/--tmpfs/--read-only on run and create, rm -v and run --rm, as
/// root (a store of its own per test) and rootless. The expected output shapes, messages and exit codes were recorded
/// from podman 4.3.1 on this machine (its runc, a store of its own), quoted beside each assertion.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class VolumeTests(SkiffEnvironment env)
{
    private readonly string _store = "vol-" + Guid.NewGuid().ToString("N")[..8];

    private string Root => Path.Combine(env.Work, _store, "root");

    private CommandResult S(params string[] args) => env.SkiffIn(_store, args);

    private CommandResult Must(params string[] args)
    {
        var r = S(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
        return r;
    }

    private void Pulled() => Must("pull", "-q", "--tls-verify=false", env.Busybox);

    private string[] Lines(params string[] args) => Must(args).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private string HostDir(string name)
    {
        string dir = Path.Combine(env.Work, _store + "-" + name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [RootFact]
    public void Volume_verbs_print_what_podman_prints()
    {
        // podman volume create vt1 -> "vt1"; again -> "Error: volume with name vt1 already exists: volume already exists", 125
        Assert.Equal("vt1\n", Must("volume", "create", "vt1").Stdout);
        var again = S("volume", "create", "vt1");
        Assert.Equal((125, "Error: volume with name vt1 already exists: volume already exists\n"), (again.ExitCode, again.Stderr));
        Assert.Equal("vt1\n", Must("volume", "create", "--ignore", "vt1").Stdout);
        string generated = Must("volume", "create").Stdout.Trim();
        Assert.Matches("^[0-9a-f]{64}$", generated);
        Must("volume", "create", "-l", "k=v", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=nodev", "vt2");

        // podman volume ls: sorted by name
        Assert.Equal($"DRIVER      VOLUME NAME\nlocal       {generated}\nlocal       vt1\nlocal       vt2\n", Must("volume", "ls").Stdout);
        Assert.Equal([generated, "vt1", "vt2"], Lines("volume", "ls", "-q"));
        Assert.Equal("DRIVER      VOLUME NAME\nlocal       vt2\n", Must("volume", "ls", "--filter", "label=k=v").Stdout);
        Assert.Equal(["vt1", "vt2"], Lines("volume", "ls", "-q", "--filter", "name=vt"));
        var badFilter = S("volume", "ls", "--filter", "bogus=1");
        Assert.Equal((125, "Error: \"bogus\" is an invalid volume filter\n"), (badFilter.ExitCode, badFilter.Stderr));

        // podman volume inspect vt2 --format '{{.Options}} {{.Name}} {{.Labels}}'
        Assert.Equal("map[device:tmpfs o:nodev type:tmpfs] vt2 map[k:v]\n", Must("volume", "inspect", "vt2", "--format", "{{.Options}} {{.Name}} {{.Labels}}").Stdout);

        // podman volume inspect vt1: a JSON array, five-space indentation, these keys in this order
        string inspect = Must("volume", "inspect", "vt1").Stdout;
        Assert.StartsWith("[\n     {\n          \"Name\": \"vt1\",\n", inspect, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(inspect))
        {
            var v = doc.RootElement[0];
            Assert.Equal(["Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope", "Options", "MountCount", "NeedsCopyUp", "NeedsChown"],
                v.EnumerateObject().Select(p => p.Name));
            Assert.Equal(Path.Combine(Root, "volumes", "vt1", "_data"), v.GetProperty("Mountpoint").GetString());
            Assert.Equal("local", v.GetProperty("Driver").GetString());
            Assert.Equal("local", v.GetProperty("Scope").GetString());
            Assert.True(v.GetProperty("NeedsCopyUp").GetBoolean());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", v.GetProperty("CreatedAt").GetString());
        }
        Assert.True(Directory.Exists(Path.Combine(Root, "volumes", "vt1", "_data")));

        // podman volume inspect nosuch -> "[]", "Error: inspecting object: no such volume nosuch", 125
        var missing = S("volume", "inspect", "nosuch");
        Assert.Equal((125, "[]\n", "Error: inspecting object: no such volume nosuch\n"), (missing.ExitCode, missing.Stdout, missing.Stderr));
        var none = S("volume", "inspect");
        Assert.Equal((125, "Error: provide one or more volume names or use --all\n"), (none.ExitCode, none.Stderr));
        Assert.Equal([generated, "vt1", "vt2"], Lines("volume", "inspect", "--all", "--format", "{{.Name}}"));

        // podman volume exists: 0 / 1, nothing printed
        var exists = S("volume", "exists", "vt1");
        Assert.Equal((0, ""), (exists.ExitCode, exists.Stdout));
        Assert.Equal(1, S("volume", "exists", "nope").ExitCode);

        // podman volume rm nope -> 'Error: no volume with name "nope" found: no such volume', 1; no name -> 125
        var rmMissing = S("volume", "rm", "nope");
        Assert.Equal((1, "Error: no volume with name \"nope\" found: no such volume\n"), (rmMissing.ExitCode, rmMissing.Stderr));
        var rmNothing = S("volume", "rm");
        Assert.Equal((125, "Error: choose either one or more volumes or all\n"), (rmNothing.ExitCode, rmNothing.Stderr));
        Assert.Equal("vt1\n", Must("volume", "rm", "vt1").Stdout);
        Assert.False(Directory.Exists(Path.Combine(Root, "volumes", "vt1")));

        // podman volume create with a bad name or a quota option
        var badName = S("volume", "create", "bad/name");
        Assert.Equal((125, "Error: running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument\n"), (badName.ExitCode, badName.Stderr));
        var quota = S("volume", "create", "-o", "o=size=1m", "-o", "size=1m", "q");
        Assert.Equal(125, quota.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(Root, "volumes", "q")));

        // podman volume prune -f: the removed names
        Assert.Equal([generated, "vt2"], Lines("volume", "prune", "-f").Order(StringComparer.Ordinal));
        Assert.Equal("", Must("volume", "ls", "-q").Stdout);
        // podman volume ls with no volume: nothing, not even the header; --format json: []
        Assert.Equal("", Must("volume", "ls").Stdout);
        Assert.Equal("[]\n", Must("volume", "ls", "--format", "json").Stdout);
    }

    [RootFact]
    public void Data_in_a_named_volume_outlives_its_container_and_a_second_one_sees_it()
    {
        Pulled();
        // podman: run --rm -v vtnew:/data ... 'echo hi > /data/f', then another run reads "hi"; the volume was made by run
        Must("run", "--rm", "-v", "vtnew:/data", env.Busybox, "sh", "-c", "echo hi > /data/f");
        Assert.Equal("hi\n", Must("run", "--rm", "-v", "vtnew:/data:ro", env.Busybox, "cat", "/data/f").Stdout);
        Assert.Equal("hi\n", Must("run", "--rm", "--mount", "type=volume,src=vtnew,dst=/elsewhere", env.Busybox, "cat", "/elsewhere/f").Stdout);
        Assert.Equal("hi\n", File.ReadAllText(Path.Combine(Root, "volumes", "vtnew", "_data", "f")));
        // podman: a volume is mounted nosuid,nodev ("/dev/vda /n ext4 rw,nosuid,nodev,relatime,...")
        Assert.Matches(@"^\S+ /data \S+ rw,nosuid,nodev,", Must("run", "--rm", "-v", "vtnew:/data", env.Busybox, "grep", " /data ", "/proc/mounts").Stdout);
        // podman: --format '{{.NeedsCopyUp}} {{.MountCount}}' -> "false 0" once mounted
        Assert.Equal("false 0\n", Must("volume", "inspect", "vtnew", "--format", "{{.NeedsCopyUp}} {{.MountCount}}").Stdout);
        var ro = S("run", "--rm", "-v", "vtnew:/data:ro", env.Busybox, "touch", "/data/g");
        Assert.Equal(1, ro.ExitCode);
        Assert.Contains("Read-only file system", ro.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_new_volume_gets_the_images_content_once()
    {
        Pulled();
        // podman: run --rm -v vtetc:/etc busybox ls /etc lists the image's files (plus the engine's hosts, hostname, resolv.conf)
        var ls = Lines("run", "--rm", "-v", "vtetc:/etc", env.Busybox, "ls", "/etc");
        Assert.Contains("passwd", ls);
        Assert.Contains("group", ls);
        Assert.True(File.Exists(Path.Combine(Root, "volumes", "vtetc", "_data", "passwd")));
        Assert.Equal("false false\n", Must("volume", "inspect", "vtetc", "--format", "{{.NeedsCopyUp}} {{.NeedsChown}}").Stdout);
        // nocopy: an empty volume stays empty
        Assert.DoesNotContain("passwd", Lines("run", "--rm", "-v", "vtempty:/etc:nocopy", env.Busybox, "ls", "/etc"));
        Assert.False(File.Exists(Path.Combine(Root, "volumes", "vtempty", "_data", "passwd")));
    }

    [RootFact]
    public void Bind_mounts_read_write_and_read_only()
    {
        Pulled();
        string dir = HostDir("bind");
        File.WriteAllText(Path.Combine(dir, "in"), "from host\n");
        Assert.Equal("from host\n", Must("run", "--rm", "-v", $"{dir}:/h", env.Busybox, "sh", "-c", "cat /h/in; echo back > /h/out").Stdout);
        Assert.Equal("back\n", File.ReadAllText(Path.Combine(dir, "out")));

        // podman: -v /tmp:/h:ro, touch -> "touch: /h/x: Read-only file system", exit 1
        var ro = S("run", "--rm", "-v", $"{dir}:/h:ro", env.Busybox, "touch", "/h/x");
        Assert.Equal((1, "touch: /h/x: Read-only file system\n"), (ro.ExitCode, ro.Stderr));
        var mountRo = S("run", "--rm", "--mount", $"type=bind,src={dir},dst=/h,readonly", env.Busybox, "touch", "/h/x");
        Assert.Equal(1, mountRo.ExitCode);
        Assert.False(File.Exists(Path.Combine(dir, "x")));

        // O: writes go to an upper layer discarded when the container exits (a second start sees the source again)
        Assert.Equal("from host\nchanged\n", Must("run", "--name", "ov", "-v", $"{dir}:/h:O", env.Busybox, "sh", "-c", "cat /h/in; echo changed > /h/in; cat /h/in").Stdout);
        Assert.Equal("from host\n", File.ReadAllText(Path.Combine(dir, "in")));
        Assert.Equal("from host\nchanged\n", Must("start", "-a", "ov").Stdout);
        Must("rm", "ov");

        // U: the source goes to the container's user
        Must("run", "--rm", "-u", "1234:5678", "-v", $"{dir}:/h:U", env.Busybox, "touch", "/h/mine");
        Assert.Equal("1234 5678", Command.Must("stat", "-c", "%u %g", Path.Combine(dir, "mine")).Stdout.Trim());
        Assert.Equal("1234 5678", Command.Must("stat", "-c", "%u %g", dir).Stdout.Trim());
    }

    [RootFact]
    public void A_missing_bind_source_fails_with_125_and_creates_nothing()
    {
        Pulled();
        // podman: run --rm -v /nonexistent-xyz:/x -> "Error: statfs /nonexistent-xyz: no such file or directory", 125
        string missing = Path.Combine(env.Work, _store + "-nonexistent");
        var r = S("run", "--rm", "-v", $"{missing}:/x", env.Busybox, "true");
        Assert.Equal((125, $"Error: statfs {missing}: no such file or directory\n"), (r.ExitCode, r.Stderr));
        var c = S("create", "--name", "never", "-v", "anon-too:/a", "-v", "/anon", "-v", $"{missing}:/x", env.Busybox, "true");
        Assert.Equal(125, c.ExitCode);
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
        Assert.Equal("", Must("volume", "ls", "-q").Stdout);
        Assert.False(Directory.Exists(missing));

        // A failure once the container and its anonymous volume exist (O over a file) takes both away again.
        string file = Path.Combine(HostDir("files"), "plain");
        File.WriteAllText(file, "x");
        var late = S("create", "-v", "/anon", "-v", $"{file}:/o:O", env.Busybox, "true");
        Assert.Equal((125, $"Error: overlay mount of {file}: not a directory\n"), (late.ExitCode, late.Stderr));
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
        Assert.Equal("", Must("volume", "ls", "-q").Stdout);
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(Root, "volumes")));

                // podman's words for bad specs reach the user the same way
        var bad = S("run", "--rm", "-v", "/tmp:/b:ro,rw", env.Busybox, "true");
        Assert.Equal((125, "Error: invalid options \"ro, rw\", can only specify 1 'rw' or 'ro' option\n"), (bad.ExitCode, bad.Stderr));
        var dup = S("run", "--rm", "-v", "/tmp:/b", "--tmpfs", "/b", env.Busybox, "true");
        Assert.Equal((125, "Error: /b: duplicate mount destination\n"), (dup.ExitCode, dup.Stderr));
    }

    [RootFact]
    public void Tmpfs_mounts_are_tmpfs_and_read_only_gets_writable_tmpfs_dirs()
    {
        Pulled();
        // podman: --tmpfs /t:size=1m,mode=700 -> "tmpfs /t tmpfs rw,nosuid,nodev,relatime,size=1024k,mode=700 0 0"
        Assert.Equal("tmpfs /t tmpfs rw,nosuid,nodev,relatime,size=1024k,mode=700 0 0\n",
            Must("run", "--rm", "--tmpfs", "/t:size=1m,mode=700", env.Busybox, "grep", " /t ", "/proc/mounts").Stdout);
        // podman: --mount type=tmpfs,dst=/t2,tmpfs-size=2m,tmpfs-mode=755 -> "tmpfs /t2 tmpfs rw,nosuid,nodev,relatime,size=2048k,mode=755 0 0"
        Assert.Equal("tmpfs /t2 tmpfs rw,nosuid,nodev,relatime,size=2048k,mode=755 0 0\n",
            Must("run", "--rm", "--mount", "type=tmpfs,dst=/t2,tmpfs-size=2m,tmpfs-mode=755", env.Busybox, "grep", " /t2 ", "/proc/mounts").Stdout);
        // podman: --read-only -> tmpfs on /tmp, /run, /var/tmp ("rw,nosuid,nodev,relatime")
        var ro = Lines("run", "--rm", "--read-only", env.Busybox, "sh", "-c", "grep -E ' /(tmp|run|var/tmp) ' /proc/mounts; touch /tmp/ok && echo wrote");
        Assert.Contains("tmpfs /tmp tmpfs rw,nosuid,nodev,relatime 0 0", ro);
        Assert.Contains("tmpfs /run tmpfs rw,nosuid,nodev,relatime 0 0", ro);
        Assert.Contains("tmpfs /var/tmp tmpfs rw,nosuid,nodev,relatime 0 0", ro);
        Assert.Equal("wrote", ro[^1]);
        // podman: --read-only --read-only-tmpfs=false -> none of them (grep exits 1), and /tmp is read-only
        var none = S("run", "--rm", "--read-only", "--read-only-tmpfs=false", env.Busybox, "sh", "-c", "grep -E ' /(tmp|run|var/tmp) ' /proc/mounts; touch /tmp/x");
        Assert.Equal((1, ""), (none.ExitCode, none.Stdout));
        Assert.Contains("Read-only file system", none.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_volume_in_use_is_refused_and_force_removes_its_containers()
    {
        Pulled();
        string id = Must("create", "--name", "user1", "-v", "vtused:/d", env.Busybox, "true").Stdout.Trim();
        // podman: "Error: volume vtused is being used by the following container(s): ID: volume is being used", exit 2
        var rm = S("volume", "rm", "vtused");
        Assert.Equal((2, $"Error: volume vtused is being used by the following container(s): {id}: volume is being used\n"), (rm.ExitCode, rm.Stderr));
        Assert.Equal(["vtused"], Lines("volume", "ls", "-q", "--filter", "dangling=false"));
        Assert.Equal("", Must("volume", "prune", "-f").Stdout);
        // podman volume rm -f: the container goes first, then the volume
        Assert.Equal("vtused\n", Must("volume", "rm", "-f", "vtused").Stdout);
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
        Assert.Equal(1, S("volume", "exists", "vtused").ExitCode);
    }

    [RootFact]
    public void Anonymous_volumes_go_with_rm_v_and_run_rm_but_not_with_plain_rm()
    {
        Pulled();
        // podman: create -v /anon, volume ls -q shows one 64-hex volume; rm -v removes it
        Must("create", "--name", "a1", "-v", "/anon", "--mount", "type=volume,dst=/anon2", env.Busybox, "true");
        var anon = Lines("volume", "ls", "-q");
        Assert.Equal(2, anon.Length);
        Assert.All(anon, n => Assert.Matches("^[0-9a-f]{64}$", n));
        Must("rm", "-v", "a1");
        Assert.Equal("", Must("volume", "ls", "-q").Stdout);
        foreach (string n in anon) Assert.False(Directory.Exists(Path.Combine(Root, "volumes", n)));

        Must("create", "--name", "a2", "-v", "/anon", env.Busybox, "true");
        Must("rm", "a2");
        Assert.Single(Lines("volume", "ls", "-q"));
        Must("volume", "prune", "-f");

        // run --rm: podman removes the container's anonymous volumes, not the named ones
        Must("run", "--rm", "-v", "/scratch", "-v", "kept:/kept", env.Busybox, "touch", "/scratch/x");
        Assert.Equal(["kept"], Lines("volume", "ls", "-q"));
    }

    [RootFact]
    public void A_symlink_at_the_mount_target_resolves_inside_the_container_root()
    {
        Pulled();
        string source = HostDir("src"), hostTarget = HostDir("host-target");
        string id = Must("create", "-v", $"{source}:/lnk", env.Busybox, "sh", "-c", "echo inside > /lnk/file").Stdout.Trim();
        // The container's root now gets /lnk -> an absolute host path, as an image could carry it.
        string merged = Path.Combine(Root, "containers", id, "merged");
        Assert.True(Directory.Exists(merged), merged);
        File.CreateSymbolicLink(Path.Combine(merged, "lnk"), hostTarget);
        var start = S("start", "-a", id);
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("inside\n", File.ReadAllText(Path.Combine(source, "file")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(hostTarget));
        Assert.DoesNotContain(" " + hostTarget + " ", File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
        Must("rm", id);
    }

    [RootFact]
    public void Concurrent_commands_create_a_volume_once_and_share_it()
    {
        Pulled();
        var creates = Enumerable.Range(0, 6).Select(_ => Task.Run(() => S("volume", "create", "vtrace"))).ToArray();
        Task.WaitAll(creates);
        Assert.Single(creates, t => t.Result.ExitCode == 0);
        Assert.All(creates.Where(t => t.Result.ExitCode != 0), t => Assert.Equal("Error: volume with name vtrace already exists: volume already exists\n", t.Result.Stderr));

        // six containers made at once with one new volume: it is made once, all write into it
        var runs = Enumerable.Range(0, 6).Select(i => Task.Run(() => S("run", "--rm", "-v", "vtshared:/etc", env.Busybox, "sh", "-c", $"echo {i} >> /etc/lines"))).ToArray();
        Task.WaitAll(runs);
        Assert.All(runs, t => Assert.True(t.Result.ExitCode == 0, t.Result.ToString()));
        Assert.Equal(["0", "1", "2", "3", "4", "5"], File.ReadAllLines(Path.Combine(Root, "volumes", "vtshared", "_data", "lines")).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(Root, "volumes", "vtshared", "_data", "passwd"))); // copied up once, not failing the others
        Assert.Equal(["vtrace", "vtshared"], Lines("volume", "ls", "-q"));
    }

    [RootFact]
    public void Rootless_volumes_binds_and_tmpfs()
    {
        string name = "rl" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(0, env.SkiffRootless("pull", "-q", "--tls-verify=false", env.Busybox).ExitCode);
        var write = env.SkiffRootless("run", "--rm", "-v", $"{name}:/data", env.Busybox, "sh", "-c", "echo rootless > /data/f");
        Assert.True(write.ExitCode == 0, write.ToString());
        var read = env.SkiffRootless("run", "--rm", "-v", $"{name}:/data", env.Busybox, "cat", "/data/f");
        Assert.Equal("rootless\n", read.Stdout);
        var inspect = env.SkiffRootless("volume", "inspect", name, "--format", "{{.Mountpoint}}");
        Assert.Equal(Path.Combine(env.Work, "rootless-data", "skiff", "volumes", name, "_data") + "\n", inspect.Stdout);

        // a bind of a directory the user can read; read-only refuses writes
        string dir = HostDir("rootless-bind");
        Command.Must("chown", env.TestUser, dir);
        var bind = env.SkiffRootless("run", "--rm", "-v", $"{dir}:/h", env.Busybox, "sh", "-c", "echo rw > /h/f && cat /h/f");
        Assert.True(bind.ExitCode == 0, bind.ToString());
        Assert.Equal("rw\n", File.ReadAllText(Path.Combine(dir, "f")));
        var ro = env.SkiffRootless("run", "--rm", "-v", $"{dir}:/h:ro", env.Busybox, "touch", "/h/x");
        Assert.Equal(1, ro.ExitCode);
        Assert.Contains("Read-only file system", ro.Stderr, StringComparison.Ordinal);

        var tmpfs = env.SkiffRootless("run", "--rm", "--tmpfs", "/t:size=1m", env.Busybox, "grep", " /t ", "/proc/mounts");
        Assert.True(tmpfs.ExitCode == 0, tmpfs.ToString());
        Assert.StartsWith("tmpfs /t tmpfs rw,", tmpfs.Stdout, StringComparison.Ordinal);

        var used = env.SkiffRootless("create", "--name", name + "-c", "-v", $"{name}:/d", "-v", "/anon", env.Busybox, "true");
        Assert.True(used.ExitCode == 0, used.ToString());
        Assert.Equal(2, env.SkiffRootless("volume", "rm", name).ExitCode);
        Assert.Equal(0, env.SkiffRootless("rm", "-v", name + "-c").ExitCode);
        var rm = env.SkiffRootless("volume", "rm", name);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.False(Directory.Exists(Path.Combine(env.Work, "rootless-data", "skiff", "volumes", name)));
    }
}
