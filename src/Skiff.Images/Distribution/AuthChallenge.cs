using System.Text;

namespace Skiff.Images.Distribution;

/// <summary>One challenge of a WWW-Authenticate header: `Bearer realm="https://auth/token",service="reg",scope="repository:x:pull"`.</summary>
public sealed class AuthChallenge
{
    private AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    /// <summary>"Bearer" or "Basic" as sent (compare ignoring case).</summary>
    public string Scheme { get; }

    /// <summary>auth-params, names lowercased, values unquoted.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.GetValueOrDefault("realm");
    public string? Service => Parameters.GetValueOrDefault("service");
    public string? Scope => Parameters.GetValueOrDefault("scope");

    /// <summary>Parses one header value; returns null when it has no scheme. Quoted values may hold
    /// commas and backslash escapes; unknown or malformed parameters are skipped.</summary>
    public static AuthChallenge? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        string s = header.Trim();
        int i = 0;
        while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] != ',') i++;
        string scheme = s[..i];
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (i < s.Length)
        {
            while (i < s.Length && (char.IsWhiteSpace(s[i]) || s[i] == ',')) i++;
            int nameStart = i;
            while (i < s.Length && s[i] != '=' && s[i] != ',' && !char.IsWhiteSpace(s[i])) i++;
            string name = s[nameStart..i].ToLowerInvariant();
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            if (i >= s.Length || s[i] != '=')
                continue;
            i++;
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            string value;
            if (i < s.Length && s[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < s.Length && s[i] != '"')
                {
                    if (s[i] == '\\' && i + 1 < s.Length) i++;
                    sb.Append(s[i++]);
                }
                i++;
                value = sb.ToString();
            }
            else
            {
                int valueStart = i;
                while (i < s.Length && s[i] != ',') i++;
                value = s[valueStart..i].Trim();
            }
            if (name.Length > 0) parameters[name] = value;
        }
        return scheme.Length == 0 ? null : new AuthChallenge(scheme, parameters);
    }
}
