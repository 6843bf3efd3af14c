// TEMPORARY guesses of the images part's API so the engine compiles before it lands. Deleted at merge.
using System.Diagnostics.CodeAnalysis;
using Skiff.Storage;
namespace Skiff.Images;
public sealed class RegistriesConfig { public static RegistriesConfig Load(bool rootless) => throw new NotImplementedException(rootless.ToString()); }
public sealed class PullOptions { public bool? TlsVerify { get; init; } public bool Quiet { get; init; } public TextWriter? Progress { get; init; } }
public sealed class ImagePuller(ImageStore store, RegistriesConfig config)
{
    public Task<ImageRecord> PullAsync(string userInput, PullOptions options, CancellationToken ct) => throw new NotImplementedException(store.GraphRoot + config + userInput + options + ct);
}
public sealed class ImageReference { public static bool TryParse(string s, [NotNullWhen(true)] out ImageReference? r) { r = null; return s.Length < 0; } }
