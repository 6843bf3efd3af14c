using Tomlyn;
using Tomlyn.Model;

namespace Skiff.Images.Registries;

/// <summary>
/// Reads registries.conf v2 where podman does: $CONTAINERS_REGISTRIES_CONF alone when set; otherwise
/// $XDG_CONFIG_HOME/containers/registries.conf (~/.config/...) instead of /etc/containers/registries.conf
/// when it exists, then the drop-ins /etc/containers/registries.conf.d/*.conf and the user's
/// registries.conf.d/*.conf in name order. Later files override keys set by earlier ones.
/// </summary>
public static class RegistriesConfigLoader
{
    private const long MaxFileSize = 4 << 20;

    public static RegistriesConfig Load()
    {
        string? overridePath = Environment.GetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF");
        if (!string.IsNullOrEmpty(overridePath))
            return Load(overridePath, []);

        string userDir = Path.Combine(UserConfigHome(), "containers");
        string userFile = Path.Combine(userDir, "registries.conf");
        string main = File.Exists(userFile) ? userFile : RegistriesConfig.SystemPath;
        return Load(main, ["/etc/containers/registries.conf.d", Path.Combine(userDir, "registries.conf.d")]);
    }

    /// <summary>Reads <paramref name="mainPath"/> (a missing file is an empty one) and then every *.conf of each drop-in directory.</summary>
    public static RegistriesConfig Load(string mainPath, IEnumerable<string> dropInDirectories)
    {
        var builder = new Builder();
        if (File.Exists(mainPath)) builder.Apply(ReadFile(mainPath), mainPath);
        foreach (string dir in dropInDirectories)
        {
            if (!Directory.Exists(dir)) continue;
            foreach (string file in Directory.GetFiles(dir, "*.conf").Order(StringComparer.Ordinal))
                builder.Apply(ReadFile(file), file);
        }
        return builder.Build(mainPath);
    }

    /// <summary>Parses one registries.conf text (for tests and single files).</summary>
    public static RegistriesConfig Parse(string toml, string sourcePath)
    {
        var builder = new Builder();
        builder.Apply(ParseToml(toml, sourcePath), sourcePath);
        return builder.Build(sourcePath);
    }

    private static TomlTable ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxFileSize)
            throw new RegistriesConfigException($"{path}: file is larger than {MaxFileSize} bytes");
        return ParseToml(File.ReadAllText(path), path);
    }

    private static TomlTable ParseToml(string toml, string path)
    {
        try
        {
            return TomlSerializer.Deserialize(toml, RegistriesTomlContext.Default.TomlTable) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            throw new RegistriesConfigException($"{path}: {e.Message.ReplaceLineEndings(" ").Trim()}", e);
        }
    }

    private static string UserConfigHome()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (!string.IsNullOrEmpty(xdg)) return xdg;
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
    }

    private sealed class Builder
    {
        private List<string> _search = [];
        private readonly List<RegistryEntry> _registries = [];
        private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
        private string _mode = "permissive";

        public void Apply(TomlTable table, string path)
        {
            if (table.TryGetValue("unqualified-search-registries", out object? search))
                _search = StringArray(search, "unqualified-search-registries", path);
            if (table.TryGetValue("short-name-mode", out object? mode))
                _mode = mode as string ?? throw Bad(path, "short-name-mode must be a string");
            if (table.TryGetValue("aliases", out object? aliases))
            {
                if (aliases is not TomlTable at) throw Bad(path, "[aliases] must be a table");
                foreach (var (key, value) in at)
                    _aliases[key] = value as string ?? throw Bad(path, $"alias \"{key}\" must be a string");
            }
            if (table.TryGetValue("registry", out object? regs))
            {
                if (regs is not TomlTableArray array) throw Bad(path, "registry must be an array of tables ([[registry]])");
                foreach (TomlTable reg in array)
                {
                    var entry = ReadEntry(reg, path);
                    _registries.RemoveAll(r => r.Prefix == entry.Prefix);
                    _registries.Add(entry);
                }
            }
        }

        public RegistriesConfig Build(string sourcePath) => new()
        {
            SourcePath = sourcePath,
            UnqualifiedSearchRegistries = _search,
            Registries = _registries,
            Aliases = _aliases,
            ShortNameMode = _mode,
        };

        private static RegistryEntry ReadEntry(TomlTable reg, string path)
        {
            string? location = OptionalString(reg, "location", path);
            string? prefix = OptionalString(reg, "prefix", path);
            if (string.IsNullOrEmpty(prefix)) prefix = location;
            if (string.IsNullOrEmpty(prefix))
                throw Bad(path, "a [[registry]] needs a prefix or a location");
            return new RegistryEntry
            {
                Prefix = prefix,
                Location = string.IsNullOrEmpty(location) ? prefix : location,
                Insecure = OptionalBool(reg, "insecure", path),
                Blocked = OptionalBool(reg, "blocked", path),
            };
        }

        private static List<string> StringArray(object? value, string key, string path)
        {
            if (value is not TomlArray array) throw Bad(path, $"{key} must be an array of strings");
            var list = new List<string>();
            foreach (object? item in array)
                list.Add(item as string ?? throw Bad(path, $"{key} must be an array of strings"));
            return list;
        }

        private static string? OptionalString(TomlTable t, string key, string path) =>
            !t.TryGetValue(key, out object? v) ? null : v as string ?? throw Bad(path, $"{key} must be a string");

        private static bool OptionalBool(TomlTable t, string key, string path) =>
            t.TryGetValue(key, out object? v) && (v as bool? ?? throw Bad(path, $"{key} must be true or false"));

        private static RegistriesConfigException Bad(string path, string what) => new($"{path}: {what}");
    }
}

/// <summary>A registries.conf that cannot be read or does not follow the v2 format.</summary>
public sealed class RegistriesConfigException : Exception
{
    public RegistriesConfigException() { }
    public RegistriesConfigException(string message) : base(message) { }
    public RegistriesConfigException(string message, Exception inner) : base(message, inner) { }
}
