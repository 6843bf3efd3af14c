using System.Diagnostics;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport.Registry;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>pull, images and rmi against the real registry; whiteouts; refusing bad content.</summary>
[Collection(SkiffCollection.Name)]
public sealed class ImageTests(SkiffEnvironment env)
{
    [RootFact]
    public void Pull_lists_runs_and_removes_an_image()
    {
        string store = "pull-" + Guid.NewGuid().ToString("N")[..6];
        var pull = env.SkiffIn(store, "pull", "--tls-verify=false", env.Busybox);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Matches("^[0-9a-f]{64}\n$", pull.Stdout);
        Assert.Contains("Trying to pull", pull.Stderr, StringComparison.Ordinal);

        var images = env.SkiffIn(store, "images");
        Assert.True(images.ExitCode == 0, images.ToString());
        var lines = images.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$", lines[0]);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(env.Busybox)}\s+latest\s+{pull.Stdout[..12]}\s+.+ ago\s+[0-9.]+ [kMG]?B$", lines[1]);

        var quiet = env.SkiffIn(store, "images", "-q");
        Assert.Equal(pull.Stdout[..12] + "\n", quiet.Stdout);
        var format = env.SkiffIn(store, "images", "--format", "{{.Repository}}:{{.Tag}}");
        Assert.Equal(env.Busybox + ":latest\n", format.Stdout);

        // A short name finds the local image (podman's lookup), so no pull is needed.
        var run = env.SkiffIn(store, "run", "--rm", "busybox", "echo", "short");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("short\n", run.Stdout);

        var rmi = env.SkiffIn(store, "rmi", env.Busybox);
        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.Contains("Untagged: " + env.Busybox + ":latest", rmi.Stdout, StringComparison.Ordinal);
        Assert.Contains("Deleted: " + pull.Stdout.Trim(), rmi.Stdout, StringComparison.Ordinal);
        Assert.Single(env.SkiffIn(store, "images").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(env.Work, store, "root", "layers")), d => !Path.GetFileName(d).StartsWith("tmp", StringComparison.Ordinal));

        var again = env.SkiffIn(store, "rmi", env.Busybox);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("image not known", again.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void Rmi_by_id_of_an_image_with_several_names_needs_force()
    {
        string store = "twonames-" + Guid.NewGuid().ToString("N")[..6];
        TestImages.PushBusybox(env.LocalRegistry, "library/busybox-again:latest");
        string id = env.SkiffIn(store, "pull", "-q", "--tls-verify=false", env.Busybox).Stdout.Trim();
        Assert.Equal(id, env.SkiffIn(store, "pull", "-q", "--tls-verify=false", env.Registry + "/library/busybox-again").Stdout.Trim());

        var refused = env.SkiffIn(store, "rmi", id[..12]);
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains("more than one tag", refused.Stderr, StringComparison.Ordinal);

        var byName = env.SkiffIn(store, "rmi", env.Registry + "/library/busybox-again");
        Assert.Equal($"Untagged: {env.Registry}/library/busybox-again:latest\n", byName.Stdout);
        var forced = env.SkiffIn(store, "rmi", "-f", id[..12]);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("Deleted: " + id, forced.Stdout, StringComparison.Ordinal);
    }

    [RootFact]
    public void Whiteouts_and_opaque_directories_hide_lower_layers()
    {
        var r = env.Skiff("run", "--rm", "--tls-verify=false", env.Layered, "sh", "-c",
            "ls /etc/removed 2>/dev/null || echo removed-gone; ls /data/old; test -x /bin/busybox && echo base-ok");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("removed-gone\nnew\nbase-ok\n", r.Stdout);
    }

    [RootFact]
    public void Unknown_image_is_a_clear_engine_error()
    {
        var r = env.Skiff("pull", "--tls-verify=false", env.Registry + "/library/nope");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("manifest unknown", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("library/nope", r.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_plain_http_registry_without_tls_verify_false_is_named_as_podman_names_it()
    {
        var r = env.Skiff("pull", env.Registry + "/library/busybox");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal($"Trying to pull {env.Registry}/library/busybox:latest...\n"
            + $"Error: initializing source docker://{env.Registry}/library/busybox:latest: pinging container registry {env.Registry}: "
            + $"Get \"https://{env.Registry}/v2/\": http: server gave HTTP response to HTTPS client "
            + "(a registry that serves plain HTTP needs --tls-verify=false, or insecure = true for it in registries.conf)\n", r.Stderr);
    }

    [RootFact]
    public void A_server_that_fails_the_tls_handshake_is_an_error_in_words()
    {
        // Accepts and answers with bytes that are neither TLS nor HTTP.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            for (int i = 0; i < 2; i++)
            {
                using var client = await listener.AcceptTcpClientAsync();
                await client.GetStream().WriteAsync(new byte[64]);
                await Task.Delay(200);
            }
        });
        string registry = $"127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        var r = env.Skiff("pull", registry + "/library/busybox");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains($"pinging container registry {registry}: Get \"https://{registry}/v2/\": the TLS handshake failed", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP response", r.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_blob_whose_digest_does_not_match_is_refused_by_name()
    {
        string repo = "library/tampered" + Guid.NewGuid().ToString("N")[..6];
        var pushed = TestImages.PushImageAsync(env.LocalRegistry, repo + ":latest", [new LayerBuilder().File("hello.txt", "the original content").Build()]).GetAwaiter().GetResult();
        // Corrupt the layer inside the registry's own storage: it serves what is on disk.
        string blobs = Path.Combine(env.LocalRegistry.Directory, "data", "docker", "registry", "v2", "blobs", "sha256");
        string layerDigest = pushed.Layers[0].Digest;
        string data = Path.Combine(blobs, layerDigest[7..9], layerDigest[7..], "data");
        var bytes = File.ReadAllBytes(data);
        bytes[^5] ^= 0xff;
        File.WriteAllBytes(data, bytes);

        string store = "tamper-" + Guid.NewGuid().ToString("N")[..6];
        var r = env.SkiffIn(store, "pull", "--tls-verify=false", $"{env.Registry}/{repo}");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains(layerDigest, r.Stderr, StringComparison.Ordinal);
        Assert.Single(env.SkiffIn(store, "images").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [RootFact]
    public void A_layer_writing_outside_its_root_is_refused_and_touches_nothing()
    {
        string marker = "skiff-escape-" + Guid.NewGuid().ToString("N")[..8];
        string outside = Path.Combine(env.Work, "outside-" + marker);
        Directory.CreateDirectory(outside);
        foreach (var (kind, layers) in new (string, BuiltLayer[])[]
        {
            ("dotdot", [new LayerBuilder().File($"../../../../../../../../../../{outside.TrimStart('/')}/dotdot", "x").Build()]),
            ("symlink-parent", [new LayerBuilder().Symlink("evil", outside).File("evil/through-link", "x").Build()]),
            ("symlink-parent-across-layers", [new LayerBuilder().Symlink("evil", outside).Build(), new LayerBuilder().File("evil/across", "x").Build()]),
        })
        {
            string repo = $"library/escape-{kind}-{marker}";
            TestImages.PushImageAsync(env.LocalRegistry, repo + ":latest", layers).GetAwaiter().GetResult();
            string store = $"escape-{kind}";
            var r = env.SkiffIn(store, "pull", "--tls-verify=false", $"{env.Registry}/{repo}");
            if (kind == "symlink-parent-across-layers" && r.ExitCode == 0)
            {
                // Each layer is unpacked on its own; the link is only followed, if at all, inside the container.
                var run = env.SkiffIn(store, "run", "--rm", $"{env.Registry}/{repo}", "cat", "/evil/across");
                Assert.Empty(Directory.GetFileSystemEntries(outside));
                continue;
            }
            Assert.True(r.ExitCode == 125, kind + ": " + r);
            Assert.Empty(Directory.GetFileSystemEntries(outside));
            Assert.Single(env.SkiffIn(store, "images").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [RootFact]
    public void An_image_whose_dev_is_a_symlink_cannot_make_the_runtime_write_on_the_host()
    {
        string outside = Path.Combine(env.Work, "dev-outside-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(outside, "pts"));
        File.WriteAllText(Path.Combine(outside, "ptmx"), "precious");
        string repo = "library/devlink" + Guid.NewGuid().ToString("N")[..6];
        TestImages.PushImageAsync(env.LocalRegistry, repo + ":latest", [TestImages.Busybox, new LayerBuilder().Symlink("dev", outside).Build()]).GetAwaiter().GetResult();
        var r = env.Skiff("run", "--rm", "--tls-verify=false", $"{env.Registry}/{repo}", "sh", "-c", "ls /dev/null && readlink /dev/ptmx");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["precious"], Directory.GetFiles(outside).Select(File.ReadAllText));
        Assert.Equal([Path.Combine(outside, "pts")], Directory.GetFileSystemEntries(outside).Where(e => e != Path.Combine(outside, "ptmx")));
    }

    [RootFact]
    public void Layers_are_reachable_by_their_owner_only()
    {
        Assert.Equal(0, env.Skiff("pull", "--tls-verify=false", env.Busybox).ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.Combine(env.Work, "rootful", "root", "layers")));
    }

    [RootFact]
    public void A_pull_killed_at_any_moment_leaves_no_broken_image_and_the_next_pull_succeeds()
    {
        string store = "killed-" + Guid.NewGuid().ToString("N")[..6];
        string root = Path.Combine(env.Work, store, "root"), run = Path.Combine(env.Work, store, "run");
        foreach (int delayMs in new[] { 5, 15, 30, 60, 120, 250 })
        {
            var psi = new ProcessStartInfo(env.SkiffPath) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { "--root", root, "--runroot", run, "pull", "--tls-verify=false", env.Layered }) psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi)!)
            {
                Thread.Sleep(delayMs);
                p.Kill();
                p.WaitForExit();
            }
            var images = env.SkiffIn(store, "images", "--format", "{{.ID}}");
            Assert.True(images.ExitCode == 0, images.ToString());
            // Either nothing, or the complete image (the kill came after it was recorded): then it must run.
            if (images.Stdout.Length > 0)
            {
                var ok = env.SkiffIn(store, "run", "--rm", env.Layered, "cat", "/data/old/new");
                Assert.True(ok.ExitCode == 0 && ok.Stdout == "new\n", $"after a kill at {delayMs} ms: {ok}");
                env.SkiffIn(store, "rmi", env.Layered);
            }
        }
        var pull = env.SkiffIn(store, "pull", "--tls-verify=false", env.Layered);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        var after = env.SkiffIn(store, "run", "--rm", env.Layered, "cat", "/data/old/new");
        Assert.Equal("new\n", after.Stdout);
    }
}
