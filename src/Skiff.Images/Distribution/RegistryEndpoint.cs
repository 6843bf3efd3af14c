using System.Collections.Concurrent;

namespace Skiff.Images.Distribution;

/// <summary>What a ping of one registry found out: where its API lives, over which client
/// (verifying or not), how it wants us to authenticate; plus the bearer tokens obtained so far.</summary>
internal sealed class RegistryEndpoint
{
    public RegistryEndpoint(string registry, Uri baseUri, HttpClient client, AuthChallenge? challenge)
    {
        Registry = registry;
        BaseUri = baseUri;
        Client = client;
        Challenge = challenge;
    }

    public string Registry { get; }
    /// <summary>"https://host:port/" or "http://host:port/".</summary>
    public Uri BaseUri { get; }
    public HttpClient Client { get; }
    public AuthChallenge? Challenge { get; set; }
    /// <summary>Bearer tokens by scope.</summary>
    public ConcurrentDictionary<string, string> Tokens { get; } = new(StringComparer.Ordinal);
}
