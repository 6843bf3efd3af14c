namespace Skiff.Engine.Containers;

/// <summary>What the engine remembers of a container (the state database comes with the container lifecycle).</summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string ImageId { get; set; } = "";
    public string ImageName { get; set; } = "";
    public List<string> Command { get; set; } = [];
    public DateTimeOffset Created { get; set; }
    /// <summary>created, running, exited.</summary>
    public string State { get; set; } = "created";
    public int? ExitCode { get; set; }
    /// <summary>The container's init on the host while it runs.</summary>
    public int? Pid { get; set; }
    /// <summary>Path of the OCI runtime that holds its state.</summary>
    public string? Runtime { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
