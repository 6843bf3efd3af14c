using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>podman's small image verbs (tag, untag, image exists, the image ls/rm/pull aliases), compared with podman 4.3's output and exit codes.</summary>
[Collection(SkiffCollection.Name)]
public sealed class ImageVerbsTests(SkiffEnvironment env)
{
    private string Pull(string store, string image)
    {
        var pull = env.SkiffIn(store, "pull", "-q", "--tls-verify=false", image);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        return pull.Stdout.Trim();
    }

    private string[] Names(string store)
        => env.SkiffIn(store, "images", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void AssertFails(CommandResult r, int exitCode, string stderr)
    {
        Assert.True(r.ExitCode == exitCode, r.ToString());
        Assert.Equal("", r.Stdout);
        Assert.Equal(stderr, r.Stderr);
    }

    [RootFact]
    public void Tag_adds_names_normalised_as_podman_and_untag_takes_them_off()
    {
        string store = "tag-" + Guid.NewGuid().ToString("N")[..6];
        string id = Pull(store, env.Busybox);
        string shortId = id[..12];

        var tag = env.SkiffIn(store, "tag", "busybox", "foo", "bar:1", "docker.io/z");
        Assert.True(tag.ExitCode == 0, tag.ToString());
        Assert.Equal("", tag.Stdout + tag.Stderr);
        var imageTag = env.SkiffIn(store, "image", "tag", shortId, "a/b/c:v2", "localhost:5000/q");
        Assert.True(imageTag.ExitCode == 0, imageTag.ToString());
        Assert.Equal(
            new[] { $"{shortId} {env.Busybox}:latest", $"{shortId} localhost/foo:latest", $"{shortId} localhost/bar:1",
             $"{shortId} docker.io/library/z:latest", $"{shortId} localhost/a/b/c:v2", $"{shortId} localhost:5000/q:latest" },
            Names(store));

        // A name another image holds moves to the tagged one.
        string layered = Pull(store, env.Registry + "/library/layered")[..12];
        Assert.Equal(0, env.SkiffIn(store, "tag", layered, "foo").ExitCode);
        Assert.Contains($"{layered} localhost/foo:latest", Names(store));
        Assert.DoesNotContain($"{shortId} localhost/foo:latest", Names(store));

        // The new names find the image.
        Assert.Equal(0, env.SkiffIn(store, "image", "exists", "localhost/bar:1").ExitCode);

        AssertFails(env.SkiffIn(store, "untag", shortId, "notaname"), 125, "Error: localhost/notaname:latest: tag not known\n");
        var untag = env.SkiffIn(store, "untag", "bar:1", "bar:1", "docker.io/library/z");
        Assert.True(untag.ExitCode == 0, untag.ToString());
        Assert.Equal("", untag.Stdout + untag.Stderr);
        Assert.DoesNotContain(Names(store), n => n.Contains("bar:1", StringComparison.Ordinal) || n.Contains("/z:", StringComparison.Ordinal));
        Assert.Contains($"{shortId} localhost/a/b/c:v2", Names(store));

        // No names: all of them go; the image stays, nameless.
        var all = env.SkiffIn(store, "image", "untag", shortId);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(new[] { $"{layered} {env.Registry}/library/layered:latest", $"{layered} localhost/foo:latest", $"{shortId} <none>:<none>" },
            Names(store).Order(StringComparer.Ordinal));
        Assert.Equal(0, env.SkiffIn(store, "image", "exists", id).ExitCode);
        AssertFails(env.SkiffIn(store, "untag", "busybox"), 125, "Error: busybox: image not known\n");
    }

    [RootFact]
    public void Tag_and_untag_refuse_as_podman_does()
    {
        string store = "tagerr-" + Guid.NewGuid().ToString("N")[..6];
        string id = Pull(store, env.Busybox)[..12];

        AssertFails(env.SkiffIn(store, "tag", "nope", "foo"), 125, "Error: nope: image not known\n");
        AssertFails(env.SkiffIn(store, "untag", "nope"), 125, "Error: nope: image not known\n");
        AssertFails(env.SkiffIn(store, "tag", id, "Foo"), 125, "Error: normalizing name \"Foo\": normalizing name \"Foo\": repository name must be lowercase\n");
        AssertFails(env.SkiffIn(store, "tag", id, "foo:-bad"), 125, "Error: normalizing name \"foo:-bad\": normalizing name \"foo:-bad\": invalid reference format\n");
        AssertFails(env.SkiffIn(store, "tag", id, ""), 125, "Error: normalizing name \"\": normalizing name \"\": repository name must have at least one component\n");
        string digested = "foo@sha256:" + new string('a', 64);
        AssertFails(env.SkiffIn(store, "tag", id, digested), 125, $"Error: {digested}: tag by digest not supported\n");
        AssertFails(env.SkiffIn(store, "untag", id, "Bad"), 125, "Error: normalizing name \"Bad\": normalizing name \"Bad\": repository name must be lowercase\n");
        AssertFails(env.SkiffIn(store, "tag", id), 125, "Error: requires at least 2 arg(s), only received 1\n");
        AssertFails(env.SkiffIn(store, "image", "untag"), 125, "Error: requires at least 1 arg(s), only received 0\n");
        AssertFails(env.SkiffIn(store, "tag", "--bogus", id, "x"), 125, "Error: unknown flag: --bogus\nSee 'skiff tag --help'\n");
        AssertFails(env.SkiffIn(store, "image", "untag", "--bogus", id), 125, "Error: unknown flag: --bogus\nSee 'skiff image untag --help'\n");

        // Targets are taken in order: those before a refused one stay, as podman's do.
        AssertFails(env.SkiffIn(store, "tag", id, "ok1", "Bad", "ok2"), 125, "Error: normalizing name \"Bad\": normalizing name \"Bad\": repository name must be lowercase\n");
        Assert.Equal(new[] { $"{id} {env.Busybox}:latest", $"{id} localhost/ok1:latest" }, Names(store));
    }

    [RootFact]
    public void Image_exists_and_the_image_ls_rm_pull_aliases()
    {
        string store = "exists-" + Guid.NewGuid().ToString("N")[..6];
        var missing = env.SkiffIn(store, "image", "exists", "busybox");
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Equal("", missing.Stdout + missing.Stderr);

        var pull = env.SkiffIn(store, "image", "pull", "-q", "--tls-verify=false", env.Busybox);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        string id = pull.Stdout.Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);

        foreach (string name in new[] { "busybox", env.Busybox, env.Busybox + ":latest", id, id[..12], "sha256:" + id })
        {
            var exists = env.SkiffIn(store, "image", "exists", name);
            Assert.True(exists.ExitCode == 0, name + ": " + exists);
            Assert.Equal("", exists.Stdout + exists.Stderr);
        }
        Assert.Equal(1, env.SkiffIn(store, "image", "exists", "busybox:other").ExitCode);
        AssertFails(env.SkiffIn(store, "image", "exists", "Bad"), 125, "Error: repository name must be lowercase\n");
        AssertFails(env.SkiffIn(store, "image", "exists", "foo@sha256:abc"), 125, "Error: invalid reference format\n");
        AssertFails(env.SkiffIn(store, "image", "exists"), 125, "Error: accepts 1 arg(s), received 0\n");
        AssertFails(env.SkiffIn(store, "image", "exists", "a", "b"), 125, "Error: accepts 1 arg(s), received 2\n");
        AssertFails(env.SkiffIn(store, "image", "exists", "--bogus", "a"), 125, "Error: unknown flag: --bogus\nSee 'skiff image exists --help'\n");

        Assert.Equal(env.SkiffIn(store, "images").Stdout, env.SkiffIn(store, "image", "ls").Stdout);
        Assert.Equal(id[..12] + "\n", env.SkiffIn(store, "image", "list", "-q").Stdout);
        AssertFails(env.SkiffIn(store, "image", "ls", "--bogus"), 125, "Error: unknown flag: --bogus\nSee 'skiff image list --help'\n");

        var rm = env.SkiffIn(store, "image", "rm", "busybox");
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Equal($"Untagged: {env.Busybox}:latest\nDeleted: {id}\n", rm.Stdout);
        Assert.Equal(1, env.SkiffIn(store, "image", "exists", id).ExitCode);
        var again = env.SkiffIn(store, "image", "rm", "busybox");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("Error: busybox: image not known\n", again.Stderr);

        AssertFails(env.SkiffIn(store, "image"), 125, "Error: missing command 'skiff image COMMAND'\n");
    }
}
