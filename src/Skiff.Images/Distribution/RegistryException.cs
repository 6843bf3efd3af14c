using System.Net;

namespace Skiff.Images.Distribution;

/// <summary>A registry request that failed; the message is one line naming the registry and the thing asked for.</summary>
public class RegistryException : Exception
{
    public RegistryException() { }
    public RegistryException(string message) : base(message) { }
    public RegistryException(string message, Exception inner) : base(message, inner) { }

    public RegistryException(string message, HttpStatusCode? status, string? errorCode, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = status;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status, when the registry answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The distribution-spec error code ("MANIFEST_UNKNOWN", "NAME_UNKNOWN", "UNAUTHORIZED", ...), when given.</summary>
    public string? ErrorCode { get; }

    /// <summary>A failure that may well not happen again (a stall, a dropped connection, a 5xx or 429 answer): worth a retry.</summary>
    public bool IsTransient { get => _transient || this is RegistryTimeoutException; init => _transient = value; }

    private readonly bool _transient;

    /// <summary>The image is not there (or not visible to us): the next short-name candidate may have it.</summary>
    public bool IsNotFound => StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || ErrorCode is "MANIFEST_UNKNOWN" or "NAME_UNKNOWN" or "BLOB_UNKNOWN";
}

/// <summary>The registry went silent: no connection, no answer, or no more bytes of one, within the configured time.</summary>
public sealed class RegistryTimeoutException : RegistryException
{
    public RegistryTimeoutException() { }
    public RegistryTimeoutException(string message) : base(message) { }
    public RegistryTimeoutException(string message, Exception inner) : base(message, inner) { }
}
