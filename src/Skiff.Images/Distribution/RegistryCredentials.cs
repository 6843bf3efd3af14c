using System.Text;
using System.Text.Json;
using Skiff.Interop;

namespace Skiff.Images.Distribution;

/// <summary>A user name and password (or token) for one registry.</summary>
public sealed record RegistryCredential(string UserName, string Password);

/// <summary>
/// Credentials from the files podman reads, first match wins: ${XDG_RUNTIME_DIR}/containers/auth.json,
/// ~/.config/containers/auth.json, ~/.docker/config.json ($REGISTRY_AUTH_FILE replaces them all). Keys are
/// registry hosts (or "host/path"; docker.io also as https://index.docker.io/v1/); values {"auth": base64("user:pass")}.
/// </summary>
public sealed class RegistryCredentials
{
    private const long MaxFileSize = 1 << 20;
    private readonly IReadOnlyList<string> _files;

    public RegistryCredentials(IReadOnlyList<string> files) => _files = files;

    /// <summary>No credentials at all (anonymous pulls).</summary>
    public static RegistryCredentials None { get; } = new([]);

    public static RegistryCredentials Default()
    {
        string? authFile = Environment.GetEnvironmentVariable("REGISTRY_AUTH_FILE");
        if (!string.IsNullOrEmpty(authFile)) return new RegistryCredentials([authFile]);
        var files = new List<string>();
        string? runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtimeDir)) files.Add(Path.Combine(runtimeDir, "containers", "auth.json"));
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        files.Add(Path.Combine(string.IsNullOrEmpty(configHome) ? Path.Combine(home, ".config") : configHome, "containers", "auth.json"));
        files.Add(Path.Combine(home, ".docker", "config.json"));
        return new RegistryCredentials(files);
    }

    /// <summary>The credential for <paramref name="registry"/> ("host[:port]"), or null.</summary>
    public RegistryCredential? Find(string registry)
    {
        foreach (string file in _files)
        {
            var found = FindIn(file, registry);
            if (found is not null) return found;
        }
        return null;
    }

    private static RegistryCredential? FindIn(string file, string registry)
    {
        if (!File.Exists(file)) return null;
        try
        {
            if (new FileInfo(file).Length > MaxFileSize) return null;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            if (!doc.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object) return null;
            foreach (var entry in auths.EnumerateObject())
            {
                if (!KeyMatches(entry.Name, registry)) continue;
                if (entry.Value.ValueKind != JsonValueKind.Object || !entry.Value.TryGetProperty("auth", out var auth)) continue;
                string? encoded = auth.GetString();
                if (string.IsNullOrEmpty(encoded)) continue;
                string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                int colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) continue;
                return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw new RegistryException($"reading credentials from {file}: {ErrorText.Of(e)}", e);
        }
        return null;
    }

    private static bool KeyMatches(string key, string registry)
    {
        string host = key;
        if (host.StartsWith("https://", StringComparison.Ordinal)) host = host[8..];
        else if (host.StartsWith("http://", StringComparison.Ordinal)) host = host[7..];
        int slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) host = host[..slash];
        if (host is "index.docker.io" or "registry-1.docker.io") host = "docker.io";
        return host == registry;
    }
}
