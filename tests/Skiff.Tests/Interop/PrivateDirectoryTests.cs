using Skiff.Interop;
using Skiff.TestSupport;

namespace Skiff.Tests.Interop;

/// <summary>
/// The rootless run directory in /tmp (skiff-run-UID, skiff-runtime-UID) when XDG_RUNTIME_DIR is not set: another
/// user may plant the name first, as a symlink to a directory of theirs or as a directory they own or can write. Each
/// is refused, and nothing is followed, created in or changed where the name points.
/// </summary>
public sealed class PrivateDirectoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-private-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_new_directory_is_made_0700()
    {
        string path = Path.Combine(_dir, "run");
        PrivateDirectory.Ensure(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
        PrivateDirectory.Ensure(path); // and an existing one of ours is taken as it is
    }

    [Fact]
    public void A_planted_symlink_is_refused_and_its_target_left_alone()
    {
        string target = Path.Combine(_dir, "attacker");
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, (UnixFileMode)0b111_111_111);
        string path = Path.Combine(_dir, "run");
        File.CreateSymbolicLink(path, target);
        var e = Assert.Throws<UnauthorizedAccessException>(() => PrivateDirectory.Ensure(path));
        Assert.StartsWith($"{path} is a symbolic link, not a directory", e.Message, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b111_111_111, File.GetUnixFileMode(target));
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void A_directory_open_to_others_or_a_file_is_refused()
    {
        string open = Path.Combine(_dir, "open");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)0b111_111_111);
        Assert.Contains("is open to other users (mode 777)", Assert.Throws<UnauthorizedAccessException>(() => PrivateDirectory.Ensure(open)).Message, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b111_111_111, File.GetUnixFileMode(open)); // not chmod'ed into ours
        string file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "");
        Assert.Contains("is not a directory", Assert.Throws<UnauthorizedAccessException>(() => PrivateDirectory.Ensure(file)).Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_directory_another_user_owns_is_refused()
    {
        string theirs = Path.Combine(_dir, "theirs");
        Directory.CreateDirectory(theirs);
        File.SetUnixFileMode(theirs, (UnixFileMode)0b111_000_000);
        Assert.Equal(0, Libc.Chown(theirs, 65534, 65534));
        var e = Assert.Throws<UnauthorizedAccessException>(() => PrivateDirectory.Ensure(theirs));
        Assert.Contains("belongs to uid 65534, not to you (uid 0)", e.Message, StringComparison.Ordinal);
    }
}
