using Skiff.TestSupport.Registry;

namespace Skiff.Tests.Images;

/// <summary>One real registry for the class, with busybox, layered and a multi-arch index pushed to it.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public LocalRegistry Registry { get; private set; } = null!;
    public PushedImage Busybox { get; private set; } = null!;
    public PushedImage Layered { get; private set; } = null!;
    public PushedImage MultiArch { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Registry = await LocalRegistry.StartAsync();
        Busybox = await TestImages.PushBusyboxAsync(Registry, "library/busybox:latest");
        Layered = await TestImages.PushLayeredAsync(Registry, "library/layered:latest");
        MultiArch = await TestImages.PushMultiArchAsync(Registry, "library/multi:latest");
    }

    public Task DisposeAsync()
    {
        Registry?.Dispose();
        return Task.CompletedTask;
    }
}
