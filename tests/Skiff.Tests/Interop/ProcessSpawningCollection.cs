namespace Skiff.Tests.Interop;

/// <summary>
/// Tests that start thousands of processes run alone: between clone and execve a child holds copies of
/// every descriptor of the test process, so a port another test probed and released can still be bound
/// for that instant, and the other test's listener fails with "Address already in use".
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessSpawningCollection
{
    public const string Name = "process spawning";
}
