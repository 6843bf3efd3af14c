using Skiff.Engine;
using Skiff.Engine.Volumes;

namespace Skiff.Tests.Engine.Volumes;

/// <summary>-v, --mount and --tmpfs as podman 4.3 parses them; the messages were recorded from podman 4.3.1 on this machine (`podman create SPEC busybox true`).</summary>
public sealed class MountSpecsTests
{
    private static string Error(Action parse) => Assert.Throws<EngineException>(parse).Message;

    [Fact]
    public void Volume_forms_host_path_named_volume_and_anonymous()
    {
        var bind = MountSpecs.ParseVolume("/srv/data:/data:ro,U");
        Assert.Equal((MountKind.Bind, "/srv/data", "/data", true, true), (bind.Kind, bind.Source, bind.Destination, bind.ReadOnly, bind.Chown));

        var named = MountSpecs.ParseVolume("cache:/var/cache:nocopy");
        Assert.Equal((MountKind.Volume, "cache", false), (named.Kind, named.Source, named.Copy));

        var anonymous = MountSpecs.ParseVolume("/scratch");
        Assert.Equal((MountKind.Volume, null, "/scratch"), (anonymous.Kind, anonymous.Source, anonymous.Destination));

        var overlay = MountSpecs.ParseVolume("/srv:/srv:O");
        Assert.True(overlay.Overlay);

        var relative = MountSpecs.ParseVolume("./here:/x");
        Assert.Equal(Path.GetFullPath("./here"), relative.Source);
        Assert.Equal(MountKind.Bind, relative.Kind);
    }

    [Fact]
    public void Volume_options_pass_kernel_flags_on_and_keep_engine_ones()
    {
        var m = MountSpecs.ParseVolume("/a:/b:z,nosuid,rshared,bind");
        Assert.Equal(["nosuid", "rshared"], m.Options);
        Assert.False(m.Recursive);
        Assert.False(m.ReadOnly);
    }

    [Theory]
    [InlineData("/a:/b:foo", "invalid option type \"foo\"")]
    [InlineData("/a:/b:", "invalid option type \"\"")]
    [InlineData("/a:rel", "invalid container path \"rel\", must be an absolute path")]
    [InlineData("rel", "invalid container path \"rel\", must be an absolute path")]
    [InlineData(":/b", "host directory cannot be empty")]
    [InlineData("/a:/b:ro,rw", "invalid options \"ro, rw\", can only specify 1 'rw' or 'ro' option")]
    [InlineData("/tmp:/b:ro,ro", "invalid options \"ro, ro\", can only specify 1 'rw' or 'ro' option")]
    [InlineData("/tmp:/b:z,Z", "invalid options \"z, Z\", can only specify 1 'z', 'Z', or 'O' option")]
    [InlineData("v:/b:nocopy,copy", "invalid options \"nocopy, copy\", can only specify 1 'copy' or 'nocopy' option")]
    [InlineData("/tmp:/b:O,ro", "can't use 'O' with other options")]
    [InlineData("/a:/b:c:d:e", "/a:/b:c:d:e: incorrect volume format, should be [host-dir:]ctr-dir[:option]")]
    public void Bad_volume_specs_get_podmans_message(string spec, string message)
        => Assert.Equal(message, Error(() => MountSpecs.ParseVolume(spec)));

    [Fact]
    public void Mount_keys_and_their_aliases()
    {
        var bind = MountSpecs.ParseMount("type=bind,source=/tmp,target=/x,readonly,bind-propagation=rslave");
        Assert.Equal((MountKind.Bind, "/tmp", "/x", true), (bind.Kind, bind.Source, bind.Destination, bind.ReadOnly));
        Assert.Equal(["rslave"], bind.Options);

        var rw = MountSpecs.ParseMount("type=bind,src=/tmp,dst=/x,ro=false");
        Assert.False(rw.ReadOnly);

        var volume = MountSpecs.ParseMount("type=volume,src=data,destination=/d");
        Assert.Equal((MountKind.Volume, "data"), (volume.Kind, volume.Source));
        Assert.Null(MountSpecs.ParseMount("type=volume,dst=/d").Source);

        var tmpfs = MountSpecs.ParseMount("type=tmpfs,dst=/t,tmpfs-size=2m,tmpfs-mode=755");
        Assert.Equal(MountKind.Tmpfs, tmpfs.Kind);
        Assert.Equal(["size=2m", "mode=755"], tmpfs.Options);

        // podman binds the destination's own path when no source is given
        Assert.Equal("/x", MountSpecs.ParseMount("type=bind,dst=/x").Source);
    }

    [Theory]
    [InlineData("src=/tmp,dst=/x", "incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]")]
    [InlineData("type=foo,dst=/x", "invalid filesystem type \"foo\"")]
    [InlineData("type=bind,src=/tmp", "must set volume destination")]
    [InlineData("type=bind,src=/tmp,dst=/x,bogus", "bogus: invalid mount option")]
    [InlineData("type=bind,src=/tmp,dst=/x,bogus=1", "bogus: invalid mount option")]
    [InlineData("type=tmpfs,src=/x,dst=/x", "source is not supported with tmpfs mounts")]
    [InlineData("type=bind,src=/tmp,dst=/x,bind-propagation=bad", "invalid option type \"bad\"")]
    [InlineData("type=bind,src=/tmp,dst=/x,ro=maybe", "'readonly', 'ro', or 'rw' must be set to true or false, instead received \"maybe\": must provide an argument for option")]
    [InlineData("type=volume,src=v,dst=/x,tmpfs-size=1m", "tmpfs-size: invalid mount option")]
    [InlineData("type=bind,src=/tmp,dst=rel", "invalid container path \"rel\", must be an absolute path")]
    public void Bad_mount_specs_get_podmans_message(string spec, string message)
        => Assert.Equal(message, Error(() => MountSpecs.ParseMount(spec)));

    [Fact]
    public void Tmpfs_with_and_without_options()
    {
        var plain = MountSpecs.ParseTmpfs("/t");
        Assert.Equal((MountKind.Tmpfs, "/t", 0), (plain.Kind, plain.Destination, plain.Options.Count));
        var sized = MountSpecs.ParseTmpfs("/t:size=1m,mode=700,ro,noexec");
        Assert.True(sized.ReadOnly);
        Assert.Equal(["size=1m", "mode=700", "noexec"], sized.Options);
    }

    [Theory]
    [InlineData("rel", "invalid container path \"rel\", must be an absolute path")]
    [InlineData("/x:bogus", "unknown mount option \"bogus\": invalid mount option")]
    [InlineData("/x:color=red", "unknown mount option \"color=red\": invalid mount option")]
    public void Bad_tmpfs_specs_get_podmans_message(string spec, string message)
        => Assert.Equal(message, Error(() => MountSpecs.ParseTmpfs(spec)));

    [Fact]
    public void Two_mounts_at_one_destination_are_refused_but_the_same_one_twice_counts_once()
    {
        Assert.Equal("/b: duplicate mount destination", Error(() => MountSpecs.Parse(["/tmp:/b", "/etc:/b"], [], [])));
        Assert.Equal("/b: duplicate mount destination", Error(() => MountSpecs.Parse(["/tmp:/b/"], [], ["/b"])));
        Assert.Single(MountSpecs.Parse(["/tmp:/b", "/tmp:/b"], [], []));
        Assert.Equal(3, MountSpecs.Parse(["/tmp:/b"], ["type=tmpfs,dst=/c"], ["/d"]).Count);
    }

    [Fact]
    public void Plan_names_anonymous_volumes_and_refuses_a_missing_bind_source_and_a_bad_volume_name()
    {
        var plan = ContainerVolumes.Plan(MountSpecs.Parse(["/x", "named:/y", "/tmp:/z"], [], []));
        Assert.Equal(64, plan[0].Volume!.Length);
        Assert.True(plan[0].Anonymous);
        Assert.Equal(("named", false), (plan[1].Volume, plan[1].Anonymous));
        Assert.Null(plan[2].Volume);

        Assert.Equal("statfs /nonexistent-skiff-source: no such file or directory",
            Error(() => ContainerVolumes.Plan(MountSpecs.Parse(["/nonexistent-skiff-source:/x"], [], []))));
        Assert.Equal("creating named volume \"a/b\": running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
            Error(() => ContainerVolumes.Plan(MountSpecs.Parse(["a/b:/x"], [], []))));
    }
}

/// <summary>The user's mounts in the generated OCI config: after the defaults, replacing one at the same destination.</summary>
public sealed class UserMountSpecTests
{
    private static Skiff.Oci.Runtime.Spec Generate(Skiff.Engine.Containers.RunOptions options, params Skiff.Oci.Runtime.Mount[] mounts) =>
        Skiff.Engine.Containers.SpecGenerator.Generate(options, new Skiff.Engine.Containers.SpecInputs
        {
            ContainerId = new string('c', 64),
            RootfsPath = "/m",
            User = new Skiff.Engine.Containers.ContainerUser(0, 0, [], "/root"),
            HardLimit = _ => ulong.MaxValue,
            UserMounts = mounts,
        });

    [Fact]
    public void User_mounts_come_last_and_replace_a_default_at_their_destination()
    {
        var tmp = new Skiff.Oci.Runtime.Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs", Options = ["rw", "size=1m"] };
        var data = new Skiff.Oci.Runtime.Mount { Destination = "/data", Type = "bind", Source = "/srv", Options = ["rbind", "rprivate", "ro"] };
        var spec = Generate(new Skiff.Engine.Containers.RunOptions { Image = "x", Command = ["true"], ReadOnly = true }, tmp, data);
        var mounts = spec.Mounts!;
        Assert.Same(data, mounts[^1]);
        Assert.Same(tmp, mounts[^2]);
        Assert.Single(mounts, m => m.Destination == "/tmp");
        Assert.Single(mounts, m => m.Destination == "/run"); // the other --read-only-tmpfs defaults stay
    }

    [Fact]
    public void Read_only_tmpfs_false_leaves_the_read_only_root_without_writable_dirs()
    {
        var spec = Generate(new Skiff.Engine.Containers.RunOptions { Image = "x", Command = ["true"], ReadOnly = true, ReadOnlyTmpfs = false });
        Assert.DoesNotContain(spec.Mounts!, m => m.Destination is "/tmp" or "/run" or "/var/tmp");
        Assert.True(spec.Root!.Readonly);
    }
}
