using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Harness;

/// <summary>One anvil serving the committed <c>fixtures/demo</c> for a whole test class.</summary>
public sealed class BundledFixture : IAsyncLifetime
{
    private FixtureServer? _server;

    public FixtureServer Server => _server ?? throw new InvalidOperationException("fixture not started");

    public static string Directory => Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "demo");

    public async Task InitializeAsync() => _server = await FixtureServer.StartAsync(Directory);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
