using Skiff.Cli.Commands;
using Skiff.Engine.Containers;

namespace Skiff.Tests.Cli;

public sealed class PsViewTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 1, 0, 30, TimeSpan.Zero);

    private static ContainerListItem Item(string state, Action<ContainerRecord>? change = null)
    {
        var c = new ContainerRecord
        {
            Id = "3ff8df1c747ebe62c0b8e974574c919b8c42bc5d1838a707709ee738346a3146",
            Name = "a1",
            ImageId = "12a5bfb42764ad535ccf498364cbcdc5ee51e97a3f6c3355be91b4508a2720e0",
            ImageName = "localhost/busybox:latest",
            Command = ["sh", "-c", "echo a long command"],
            Created = Now.AddSeconds(-20),
            State = state,
        };
        change?.Invoke(c);
        return new ContainerListItem(c, ContainerListing.StateOf(c));
    }

    private static string Render(IReadOnlyList<ContainerListItem> items, string? format = null, bool quiet = false, bool noTrunc = false, PsOptions? options = null)
        => new PsCommand.View(noTrunc, quiet, noHeading: false, pod: false, options ?? new PsOptions()).Render(items, format, Now);

    [Fact]
    public void The_table_is_podmans()
    {
        var items = new[]
        {
            Item("exited", c => { c.ExitCode = 3; c.FinishedAt = Now.AddSeconds(-2); c.StartedAt = Now.AddSeconds(-3); }),
            Item("running", c => { c.Name = "r1"; c.StartedAt = Now.AddSeconds(-3); c.Command = ["sleep", "1000"]; }),
            Item("created", c => { c.Name = "c1"; c.Command = ["true"]; }),
        };
        Assert.Equal(
            """
            CONTAINER ID  IMAGE                     COMMAND               CREATED         STATUS                    PORTS       NAMES
            3ff8df1c747e  localhost/busybox:latest  sh -c echo a long...  20 seconds ago  Exited (3) 2 seconds ago              a1
            3ff8df1c747e  localhost/busybox:latest  sleep 1000            20 seconds ago  Up 3 seconds ago                      r1
            3ff8df1c747e  localhost/busybox:latest  true                  20 seconds ago  Created                               c1

            """.ReplaceLineEndings("\n"), Render(items));
    }

    [Fact]
    public void Quiet_prints_ids_and_a_format_wins_over_it()
    {
        Assert.Equal("3ff8df1c747e\n", Render([Item("created")], quiet: true));
        Assert.Equal("3ff8df1c747ebe62c0b8e974574c919b8c42bc5d1838a707709ee738346a3146\n", Render([Item("created")], quiet: true, noTrunc: true));
        Assert.Equal("a1\n", Render([Item("created")], "{{.Names}}", quiet: true));
    }

    [Fact]
    public void Templates_read_psReporters_fields()
    {
        var item = Item("exited", c => { c.ExitCode = 0; c.FinishedAt = Now.AddSeconds(-10); c.StartedAt = Now.AddSeconds(-11); c.Labels = new() { ["x"] = "y", ["foo"] = "bar" }; });
        Assert.Equal("map[foo:bar x:y]|[]|0|0|true|Exited (0) 10 seconds ago|20 seconds ago|12a5bfb42764\n",
            Render([item], "{{.Labels}}|{{.Mounts}}|{{.Pid}}|{{.ExitCode}}|{{.Exited}}|{{.State}}|{{.RunningFor}}|{{.ImageID}}"));
        // A label by name (the field-lookup API of GoTemplate cannot have .Labels and .Labels.foo in one template).
        Assert.Equal("bar|<no value>\n", Render([item], "{{.Labels.foo}}|{{.Labels.nope}}"));
        Assert.Equal("2026-12-02 01:00:10 +0000 UTC\n", Render([item], "{{.CreatedAt}}"));
        Assert.StartsWith("CONTAINER ID  CREATED AT                     EXIT CODE  ", Render([item], "table {{.ID}} {{.CreatedAt}} {{.ExitCode}} {{.Names}}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_has_podmans_shape()
    {
        var json = Render([Item("created", c => c.Labels = new() { ["foo"] = "bar" })], "json");
        Assert.Equal(
            """
            [
              {
                "AutoRemove": false,
                "Command": [
                  "sh",
                  "-c",
                  "echo a long command"
                ],
                "CreatedAt": "20 seconds ago",
                "Exited": false,
                "ExitedAt": -62135596800,
                "ExitCode": 0,
                "Id": "3ff8df1c747ebe62c0b8e974574c919b8c42bc5d1838a707709ee738346a3146",
                "Image": "localhost/busybox:latest",
                "ImageID": "12a5bfb42764ad535ccf498364cbcdc5ee51e97a3f6c3355be91b4508a2720e0",
                "IsInfra": false,
                "Labels": {
                  "foo": "bar"
                },
                "Mounts": [],
                "Names": [
                  "a1"
                ],
                "Namespaces": {
                  
                },
                "Networks": [],
                "Pid": 0,
                "Pod": "",
                "PodName": "",
                "Ports": null,
                "Size": null,
                "StartedAt": -62135596800,
                "State": "created",
                "Status": "Created",
                "Created": 1796173210
              }
            ]

            """.ReplaceLineEndings("\n"), json);
        Assert.Equal("[]\n", Render([], "{{json .}}"));
    }
}
