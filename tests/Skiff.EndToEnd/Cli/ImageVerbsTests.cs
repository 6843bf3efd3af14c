using Skiff.EndToEnd.Harness;
using System.Text.Json;
using Skiff.TestSupport;
using Skiff.TestSupport.Registry;

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

    private const string LongCommand = "/bin/sh -c mkdir -p /data && echo old > /data/file && a-command-line-longer-than-the-column";

    /// <summary>An image on busybox's layer with podman-built-like history: empty-layer entries, comments, a long command.</summary>
    private static string PushHistoryImage(SkiffEnvironment env)
    {
        string dir = Directory.CreateTempSubdirectory("skiff-history-").FullName;
        try
        {
            var layout = new OciLayoutBuilder(dir);
            var data = new LayerBuilder().Directory("data").File("data/file", "old\n").Build();
            var more = new LayerBuilder().Directory("etc").File("etc/more", new byte[5000]).Build();
            var image = layout.AddImage([TestImages.Busybox, data, more], history:
            [
                new("2023-05-01T10:00:00Z", "/bin/sh -c #(nop) ADD file:abc in / ", Comment: "base layer"),
                new("2023-05-02T10:00:00Z", "/bin/sh -c #(nop)  ENV A=1", EmptyLayer: true),
                new("2023-05-03T10:00:00Z", LongCommand),
                new("2023-05-04T10:00:00Z", "/bin/sh -c touch /etc/more", Comment: "more"),
                new("2023-05-05T10:00:00Z", "/bin/sh -c #(nop)  CMD [\"sh\"]", EmptyLayer: true),
            ]);
            layout.Tag(image.Manifest, OciLayoutBuilder.ManifestMediaType, "image");
            string reference = env.Registry + "/library/history:latest";
            TestImages.SkopeoCopyAsync(layout.Directory, "image", reference, all: false).GetAwaiter().GetResult();
            return reference;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [RootFact]
    public void History_lists_the_config_history_as_podman_does()
    {
        string store = "history-" + Guid.NewGuid().ToString("N")[..6];
        string reference = PushHistoryImage(env);
        string busybox = Pull(store, env.Busybox);
        string id = Pull(store, reference);
        string busyboxSize = env.SkiffIn(store, "images", "--format", "{{.ID}} {{.Size}}").Stdout.Split('\n').Single(l => l.StartsWith(busybox[..12], StringComparison.Ordinal))[13..];

        // Newest first; the top entry is the image, an entry whose layer is another image's top layer is that
        // image (busybox here), the rest <missing>; empty-layer entries have no size and do not move down a layer.
        var format = env.SkiffIn(store, "image", "history", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}|{{.CreatedAt}}", "history");
        Assert.True(format.ExitCode == 0, format.ToString());
        var rows = format.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, rows.Length);
        Assert.Equal($"{id[..12]}|/bin/sh -c #(nop)  CMD [\"sh\"]|0 B||2023-05-05 10:00:00 +0000 UTC", rows[0]);
        Assert.Matches(@"^<missing>\|/bin/sh -c touch /etc/more\|[0-9.]+ kB\|more\|2023-05-04 10:00:00 \+0000 UTC$", rows[1]);
        Assert.Matches($@"^<missing>\|{System.Text.RegularExpressions.Regex.Escape(LongCommand[..42])}\.\.\.\|[0-9.]+ kB\|\|2023-05-03", rows[2]);
        Assert.Equal($"{busybox[..12]}|/bin/sh -c #(nop)  ENV A=1|0 B||2023-05-02 10:00:00 +0000 UTC", rows[3]);
        Assert.Equal($"<missing>|/bin/sh -c #(nop) ADD file:abc in / |{busyboxSize}|base layer|2023-05-01 10:00:00 +0000 UTC", rows[4]);
        Assert.NotEqual(rows[1].Split('|')[2], rows[2].Split('|')[2]); // each entry has its own layer's size

        var table = env.SkiffIn(store, "history", "history").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, table.Length);
        Assert.Matches(@"^ID\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$", table[0]);
        Assert.Matches($@"^{id[..12]}  \d+ years ago\s+/bin/sh -c #\(nop\)  CMD \[""sh""\]\s+0 B\s+$", table[1]);
        Assert.Matches(@"^<missing>\s+\d+ years ago\s+/bin/sh -c #\(nop\) ADD file:abc in /\s+[0-9.]+ MB\s+base layer$", table[5]);

        // podman 4.3 has no header for CreatedAt.
        Assert.Equal("ID            SIZE        <no value>",
            env.SkiffIn(store, "history", "--format", "table {{.ID}} {{.Size}} {{.CreatedAt}}", "history").Stdout.Split('\n')[0]);

        var noTrunc = env.SkiffIn(store, "history", "--no-trunc", "-H=false", "history").Stdout;
        Assert.Contains(id + "  2023-05-05T10:00:00Z", noTrunc, StringComparison.Ordinal);
        Assert.Contains(LongCommand + "  ", noTrunc, StringComparison.Ordinal);
        Assert.Equal($"{id[..12]}\n<missing>\n<missing>\n{busybox[..12]}\n<missing>\n", env.SkiffIn(store, "history", "-q", "history").Stdout);
        Assert.Equal($"{id}\n<missing>\n<missing>\n{busybox}\n<missing>\n", env.SkiffIn(store, "history", "-q", "--no-trunc", id[..12]).Stdout);

        // json: podman's compact array (full ids and commands, Go's escapes for <, > and &).
        string json = env.SkiffIn(store, "history", "--format", "json", "history").Stdout;
        Assert.StartsWith($"[{{\"id\":\"{id}\",\"created\":\"2023-05-05T10:00:00Z\",\"CreatedBy\":\"/bin/sh -c #(nop)  CMD [\\\"sh\\\"]\",\"size\":0,\"Created\":\"2023-05-05T10:00:00Z\"}},{{\"id\":\"\\u003cmissing\\u003e\"", json, StringComparison.Ordinal);
        Assert.Contains("echo old \\u003e /data/file \\u0026\\u0026", json, StringComparison.Ordinal);
        Assert.EndsWith("]\n", json, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(json))
        {
            var last = doc.RootElement[4];
            Assert.Equal("base layer", last.GetProperty("comment").GetString());
            Assert.Equal("<missing>", last.GetProperty("id").GetString());
            Assert.True(last.GetProperty("size").GetInt64() > 1_000_000);
        }

        AssertFails(env.SkiffIn(store, "history", "nope"), 125, "Error: nope: image not known\n");
        AssertFails(env.SkiffIn(store, "history"), 125, "Error: accepts 1 arg(s), received 0\n");
        AssertFails(env.SkiffIn(store, "history", "a", "b"), 125, "Error: accepts 1 arg(s), received 2\n");
        AssertFails(env.SkiffIn(store, "history", "--format", "{{.Bogus}}", "history"), 125,
            "Error: template: history:1:13: executing \"history\" at <.Bogus>: can't evaluate field Bogus in type images.historyReporter\n");
        AssertFails(env.SkiffIn(store, "image", "history", "--bogus", "history"), 125, "Error: unknown flag: --bogus\nSee 'skiff image history --help'\n");
    }

    [RootFact]
    public void Image_prune_removes_nameless_images_no_container_uses()
    {
        string store = "prune-" + Guid.NewGuid().ToString("N")[..6];
        CommandResult Prune(string? stdin, params string[] args) => Command.Run(env.SkiffPath,
            ["--root", Path.Combine(env.Work, store, "root"), "--runroot", Path.Combine(env.Work, store, "run"), "image", "prune", .. args], stdin: stdin);
        string busybox = Pull(store, env.Busybox);
        string layered = Pull(store, env.Registry + "/library/layered");
        var create = env.SkiffIn(store, "create", "--name", "user", layered[..12], "true");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal(0, env.SkiffIn(store, "untag", busybox[..12]).ExitCode);
        Assert.Equal(0, env.SkiffIn(store, "untag", layered[..12]).ExitCode);
        string named = Pull(store, PushHistoryImage(env)); // named, unused: only -a removes it

        // The prompt: anything but y keeps everything; no answer at all is podman's EOF error.
        const string Warning = "WARNING! This command removes all dangling images.\nAre you sure you want to continue? [y/N] ";
        var no = Prune("n\n");
        Assert.True(no.ExitCode == 0, no.ToString());
        Assert.Equal(Warning + "\n", no.Stdout); // the harness ends the last line
        var eof = Prune(null);
        Assert.Equal(125, eof.ExitCode);
        Assert.Equal("Error: EOF\n", eof.Stderr);
        Assert.Equal(0, env.SkiffIn(store, "image", "exists", busybox).ExitCode);

        // Dangling and unused: busybox goes; layered, nameless too, stays for its container.
        var yes = Prune("y\n");
        Assert.True(yes.ExitCode == 0, yes.ToString());
        Assert.Equal(Warning + busybox + "\n", yes.Stdout);
        Assert.Equal(1, env.SkiffIn(store, "image", "exists", busybox).ExitCode);
        Assert.Equal(0, env.SkiffIn(store, "image", "exists", layered).ExitCode);
        Assert.Equal(0, env.SkiffIn(store, "image", "exists", named).ExitCode);
        var again = Prune(null, "-f");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("", again.Stdout + again.Stderr);

        // -a: named images go too, unless a container uses them.
        Pull(store, env.Busybox);
        Assert.Equal(new[] { busybox, named }.Order(StringComparer.Ordinal), Prune(null, "-a", "-f").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(1, env.SkiffIn(store, "image", "exists", busybox).ExitCode);
        Assert.Equal(0, env.SkiffIn(store, "rm", "user").ExitCode);
        var all = Prune("y\n", "-a");
        Assert.Equal("WARNING! This command removes all images without at least one container associated with them.\nAre you sure you want to continue? [y/N] " + layered + "\n", all.Stdout);
        Assert.Equal("", env.SkiffIn(store, "images", "-q").Stdout);

        AssertFails(Prune(null, "-f", "x"), 125, "Error: `skiff image prune` takes no arguments\n");
        AssertFails(Prune(null, "--bogus"), 125, "Error: unknown flag: --bogus\nSee 'skiff image prune --help'\n");
    }
}
