using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Skiff.Tests;

/// <summary>
/// The seams of DESIGN.md, enforced: the leaf programs (runtime, monitor) and Interop never reach the engine
/// or the CLI; the monitor reaches Interop alone; the CLI references the engine alone, and its sources name
/// neither Interop nor Storage (it sees those assemblies transitively, so only its sources can tell).
/// </summary>
public sealed class ProjectEdgesTests
{
    [Fact]
    public void LeafProjectsNeverReachTheEngineOrTheCli()
        => AssertNoViolations(ProjectEdges.LeafViolations(ProjectEdges.Load(RepoRoot())));

    [Fact]
    public void TheMonitorReachesOnlyInterop()
        => AssertNoViolations(ProjectEdges.MonitorViolations(ProjectEdges.Load(RepoRoot())));

    [Fact]
    public void TheCliReferencesOnlyTheEngine()
        => AssertNoViolations(ProjectEdges.CliReferenceViolations(ProjectEdges.Load(RepoRoot())));

    [Fact]
    public void TheCliSourcesNameNeitherInteropNorStorage()
        => AssertNoViolations(ProjectEdges.CliSourceViolations(RepoRoot()));

    /// <summary>The checks themselves: silent on a tree shaped like the real one, loud on each kind of bad edge.</summary>
    [Theory]
    [InlineData("none", null)]
    [InlineData("runtime-reaches-engine", "Skiff.Runtime -> Skiff.Storage -> Skiff.Engine")]
    [InlineData("interop-reaches-cli", "Skiff.Interop -> Skiff.Cli")]
    [InlineData("runtime-cli-reaches-engine", "Skiff.Runtime.Cli -> Skiff.Engine")]
    [InlineData("monitor-reaches-oci", "Skiff.Monitor -> Skiff.Oci")]
    [InlineData("monitor-missing", "Skiff.Monitor: no such project")]
    [InlineData("cli-references-storage", "Skiff.Cli references Skiff.Storage")]
    [InlineData("cli-using-interop", "using Skiff.Interop")]
    [InlineData("cli-qualified-storage", "Skiff.Storage.")]
    [InlineData("cli-relative-interop", "Interop.Libc")]
    public void TheChecksFailOnABadEdge(string mutation, string? expected)
    {
        string root = Directory.CreateTempSubdirectory("skiff-edges-").FullName;
        try
        {
            WriteTree(root, mutation);
            var graph = ProjectEdges.Load(root);
            var all = ProjectEdges.LeafViolations(graph)
                .Concat(ProjectEdges.MonitorViolations(graph))
                .Concat(ProjectEdges.CliReferenceViolations(graph))
                .Concat(ProjectEdges.CliSourceViolations(root))
                .ToList();
            if (expected is null) Assert.Empty(all);
            else Assert.Contains(all, v => v.Contains(expected, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void AssertNoViolations(IReadOnlyList<string> violations)
        => Assert.True(violations.Count == 0, "project edges that DESIGN.md (Seams) forbids:\n  " + string.Join("\n  ", violations));

    /// <summary>
    /// The repository root: the first directory holding Skiff.slnx above the test binary, else above this source
    /// file (builds with SkiffArtifacts put the binary outside the tree), else above the working directory.
    /// </summary>
    private static string RepoRoot([CallerFilePath] string source = "")
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source) ?? "/", Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Skiff.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Skiff.slnx) above " + AppContext.BaseDirectory);
    }

    /// <summary>A small tree with the real graph's shape, and one bad edge per <paramref name="mutation"/>.</summary>
    private static void WriteTree(string root, string mutation)
    {
        var edges = new Dictionary<string, List<string>>
        {
            ["Skiff.Cli"] = ["Skiff.Engine"],
            ["Skiff.Engine"] = ["Skiff.Interop", "Skiff.Oci", "Skiff.Storage", "Skiff.Images"],
            ["Skiff.Images"] = ["Skiff.Oci", "Skiff.Storage"],
            ["Skiff.Interop"] = [],
            ["Skiff.Monitor"] = ["Skiff.Interop"],
            ["Skiff.Init"] = ["Skiff.Interop"],
            ["Skiff.Oci"] = [],
            ["Skiff.Runtime.Cli"] = ["Skiff.Runtime"],
            ["Skiff.Runtime"] = ["Skiff.Interop", "Skiff.Oci"],
            ["Skiff.Storage"] = ["Skiff.Interop", "Skiff.Oci"],
        };
        string cliSource = "using Skiff.Engine;\nusing System.Runtime.InteropServices;\n\nnamespace Skiff.Cli;\n\n// Storage driver (overlay)\npublic static class Verb\n{\n    public static int Run() => 0;\n}\n";
        switch (mutation)
        {
            case "none": break;
            case "runtime-reaches-engine": edges["Skiff.Runtime"].Add("Skiff.Storage"); edges["Skiff.Storage"].Add("Skiff.Engine"); break;
            case "interop-reaches-cli": edges["Skiff.Interop"].Add("Skiff.Cli"); break;
            case "runtime-cli-reaches-engine": edges["Skiff.Runtime.Cli"].Add("Skiff.Engine"); break;
            case "monitor-reaches-oci": edges["Skiff.Monitor"].Add("Skiff.Oci"); break;
            case "monitor-missing": edges.Remove("Skiff.Monitor"); break;
            case "cli-references-storage": edges["Skiff.Cli"].Add("Skiff.Storage"); break;
            case "cli-using-interop": cliSource = "using Skiff.Interop;\n" + cliSource; break;
            case "cli-qualified-storage": cliSource = cliSource.Replace("=> 0;", "=> new Skiff.Storage.ImageStore(\"/\").ListImages().Count;", StringComparison.Ordinal); break;
            case "cli-relative-interop": cliSource = cliSource.Replace("=> 0;", "=> (int)Interop.Libc.GetEUid();", StringComparison.Ordinal); break;
            default: throw new ArgumentOutOfRangeException(nameof(mutation), mutation, null);
        }
        File.WriteAllText(Path.Combine(root, "Skiff.slnx"), "<Solution />\n");
        foreach (var (project, references) in edges)
        {
            string dir = Directory.CreateDirectory(Path.Combine(root, "src", project)).FullName;
            var items = new XElement("ItemGroup", references.Select(r => new XElement("ProjectReference", new XAttribute("Include", $"../{r}/{r}.csproj"))));
            new XDocument(new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"), items)).Save(Path.Combine(dir, project + ".csproj"));
        }
        string commands = Directory.CreateDirectory(Path.Combine(root, "src", "Skiff.Cli", "Commands")).FullName;
        File.WriteAllText(Path.Combine(commands, "Verb.cs"), cliSource);
    }
}

/// <summary>The ProjectReference graph of src/*/*.csproj and the rules over it (each returns its violations, empty when none).</summary>
internal static partial class ProjectEdges
{
    /// <summary>Programs that run beside containers (and the library under them): they must not carry the engine.</summary>
    private static readonly string[] Leaves = ["Skiff.Runtime", "Skiff.Runtime.Cli", "Skiff.Monitor", "Skiff.Init", "Skiff.Interop"];
    private static readonly string[] FrontAndEngine = ["Skiff.Engine", "Skiff.Cli"];
    private static readonly string[] ForbiddenInCli = ["using Skiff.Interop", "using Skiff.Storage", "Skiff.Interop.", "Skiff.Storage."];

    /// <summary>Project name (the .csproj's file name) to the names it references directly.</summary>
    public static Dictionary<string, List<string>> Load(string root)
    {
        var graph = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string csproj in Directory.GetDirectories(Path.Combine(root, "src")).SelectMany(d => Directory.GetFiles(d, "*.csproj")))
        {
            var references = XDocument.Load(csproj).Descendants()
                .Where(e => e.Name.LocalName == "ProjectReference")
                .Select(e => (string?)e.Attribute("Include") ?? "")
                .Select(include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/').Split('/')[^1]))
                .Where(name => name.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            graph[Path.GetFileNameWithoutExtension(csproj)] = references;
        }
        return graph;
    }

    public static List<string> LeafViolations(Dictionary<string, List<string>> graph)
    {
        var violations = new List<string>();
        foreach (string leaf in Leaves)
        {
            if (!graph.ContainsKey(leaf)) { violations.Add($"{leaf}: no such project (the rules name it: update them)"); continue; }
            var paths = Reachable(graph, leaf);
            foreach (string forbidden in FrontAndEngine)
                if (paths.TryGetValue(forbidden, out var path))
                    violations.Add($"{string.Join(" -> ", path)}: {leaf} is a leaf and must never reach {forbidden}");
        }
        return violations;
    }

    public static List<string> MonitorViolations(Dictionary<string, List<string>> graph)
    {
        const string Monitor = "Skiff.Monitor";
        if (!graph.ContainsKey(Monitor)) return [$"{Monitor}: no such project (the rules name it: update them)"];
        return [.. Reachable(graph, Monitor)
            .Where(p => p.Key is not (Monitor or "Skiff.Interop"))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{string.Join(" -> ", p.Value)}: the monitor may reach Skiff.Interop only")];
    }

    public static List<string> CliReferenceViolations(Dictionary<string, List<string>> graph)
    {
        if (!graph.TryGetValue("Skiff.Cli", out var direct)) return ["Skiff.Cli: no such project (the rules name it: update them)"];
        var violations = direct.Where(r => r != "Skiff.Engine").Select(r => $"Skiff.Cli references {r}: it may reference Skiff.Engine only").ToList();
        if (!direct.Contains("Skiff.Engine")) violations.Add("Skiff.Cli does not reference Skiff.Engine");
        return violations;
    }

    /// <summary>
    /// Lines of src/Skiff.Cli/**/*.cs that name Interop or Storage: the literal forms, and the names relative to
    /// the Skiff namespace (`Interop.Libc`, which resolves from inside Skiff.Cli without a using).
    /// </summary>
    public static List<string> CliSourceViolations(string root)
    {
        string cli = Path.Combine(root, "src", "Skiff.Cli");
        var violations = new List<string>();
        foreach (string file in Directory.GetFiles(cli, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                string? hit = ForbiddenInCli.FirstOrDefault(f => line.Contains(f, StringComparison.Ordinal))
                    ?? (NamespaceUse().Match(line) is { Success: true } m ? m.Value : null);
                if (hit is not null)
                    violations.Add($"{relative}:{i + 1}: '{hit}' in \"{line.Trim()}\": the CLI goes through Skiff.Engine only");
            }
        }
        return violations;
    }

    /// <summary>Every project reachable from <paramref name="start"/>, with the path that reaches it first (breadth first).</summary>
    private static Dictionary<string, List<string>> Reachable(Dictionary<string, List<string>> graph, string start)
    {
        var paths = new Dictionary<string, List<string>>(StringComparer.Ordinal) { [start] = [start] };
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            string from = queue.Dequeue();
            foreach (string to in graph.GetValueOrDefault(from) ?? [])
            {
                if (paths.ContainsKey(to)) continue;
                paths[to] = [.. paths[from], to];
                queue.Enqueue(to);
            }
        }
        return paths;
    }

    /// <summary>`Skiff.Interop`, `global::Skiff.Storage`, or `Interop.X`/`Storage.X` not preceded by another name part.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:global::)?(?:Skiff\.(?:Interop|Storage)\b|(?:Interop|Storage)\.[A-Za-z_])")]
    private static partial Regex NamespaceUse();
}
