using System.Net;
using System.Text.Json;

namespace Skiff.Images.Distribution;

/// <summary>Turns a failed registry response into one line: the distribution-spec error body when there is one, else the status.</summary>
internal static class RegistryErrors
{
    private const int MaxErrorBody = 64 << 10;

    /// <summary>How many redirects a request follows (Go's net/http stops after 10 too).</summary>
    public const int MaxRedirects = 10;

    public static async Task<RegistryException> FromResponseAsync(HttpResponseMessage response, string context, TimeSpan idleTimeout, CancellationToken ct)
    {
        string? code = null, message = null;
        try
        {
            byte[] body = await HttpBodies.ReadBoundedAsync(response.Content, MaxErrorBody, idleTimeout, context, ct).ConfigureAwait(false);
            if (body.Length > 0)
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("errors", out var errors)
                    && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                    && errors[0].ValueKind == JsonValueKind.Object)
                {
                    var first = errors[0];
                    if (first.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString();
                    if (first.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString();
                }
            }
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException or InvalidDataException or RegistryException)
        {
        }
        int status = (int)response.StatusCode;
        return new RegistryException($"{context}: {Describe(response.StatusCode, code, message)}", response.StatusCode, code)
        {
            IsTransient = status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout,
        };
    }

    /// <summary>Like Go's errcode: "manifest unknown", or "name unknown: repository name not known to registry".</summary>
    internal static string Describe(HttpStatusCode status, string? code, string? message)
    {
        string? codeText = code?.ToLowerInvariant().Replace('_', ' ');
        if (codeText is null && message is null)
        {
            return status switch
            {
                HttpStatusCode.NotFound => "manifest unknown",
                HttpStatusCode.Unauthorized => "authentication required",
                HttpStatusCode.Forbidden => "requested access to the resource is denied",
                HttpStatusCode.TooManyRequests => "too many requests to registry",
                // What is left when the client gave up following redirects (Go: "stopped after 10 redirects").
                HttpStatusCode.Moved or HttpStatusCode.Redirect or HttpStatusCode.RedirectMethod
                    or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect => $"stopped after {MaxRedirects} redirects",
                _ => $"received unexpected HTTP status: {(int)status} {status}",
            };
        }
        if (codeText is null || message is null || string.Equals(codeText, message, StringComparison.OrdinalIgnoreCase))
            return (message ?? codeText)!;
        return $"{codeText}: {message}";
    }
}

internal static class HttpBodies
{
    /// <summary>Reads a body whole, refusing more than <paramref name="max"/> bytes, and failing with
    /// <see cref="RegistryTimeoutException"/> (naming <paramref name="what"/>) when no bytes come for <paramref name="idleTimeout"/>.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpContent content, long max, TimeSpan idleTimeout, string what, CancellationToken ct)
    {
        if (content.Headers.ContentLength is long declared && declared > max)
            throw new InvalidDataException($"body of {declared} bytes is larger than the limit of {max}");
        await using var stream = new IdleTimeoutStream(await content.ReadAsStreamAsync(ct).ConfigureAwait(false), idleTimeout, what);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > max)
                throw new InvalidDataException($"body is larger than the limit of {max} bytes");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}
