using System.Net;
using System.Text.Json;

namespace Skiff.Images.Distribution;

/// <summary>Turns a failed registry response into one line: the distribution-spec error body when there is one, else the status.</summary>
internal static class RegistryErrors
{
    private const int MaxErrorBody = 64 << 10;

    public static async Task<RegistryException> FromResponseAsync(HttpResponseMessage response, string context, CancellationToken ct)
    {
        string? code = null, message = null;
        try
        {
            byte[] body = await HttpBodies.ReadBoundedAsync(response.Content, MaxErrorBody, ct).ConfigureAwait(false);
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
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException or InvalidDataException)
        {
        }
        return new RegistryException($"{context}: {Describe(response.StatusCode, code, message)}", response.StatusCode, code);
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
    /// <summary>Reads a body whole, refusing more than <paramref name="max"/> bytes.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpContent content, long max, CancellationToken ct)
    {
        if (content.Headers.ContentLength is long declared && declared > max)
            throw new InvalidDataException($"body of {declared} bytes is larger than the limit of {max}");
        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
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
