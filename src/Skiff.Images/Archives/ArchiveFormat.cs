namespace Skiff.Images.Archives;

/// <summary>podman save's --format values.</summary>
public enum ArchiveFormat
{
    DockerArchive,
    OciArchive,
    OciDir,
    DockerDir,
}

public static class ArchiveFormats
{
    /// <summary>The format for a --format value; null for one podman does not know.</summary>
    public static ArchiveFormat? Parse(string? value) => value switch
    {
        null or "" or "docker-archive" => ArchiveFormat.DockerArchive,
        "oci-archive" => ArchiveFormat.OciArchive,
        "oci-dir" => ArchiveFormat.OciDir,
        "docker-dir" => ArchiveFormat.DockerDir,
        _ => null,
    };

    public static string Name(ArchiveFormat format) => format switch
    {
        ArchiveFormat.OciArchive => "oci-archive",
        ArchiveFormat.OciDir => "oci-dir",
        ArchiveFormat.DockerDir => "docker-dir",
        _ => "docker-archive",
    };

    public static bool IsDirectory(ArchiveFormat format) => format is ArchiveFormat.OciDir or ArchiveFormat.DockerDir;
}
