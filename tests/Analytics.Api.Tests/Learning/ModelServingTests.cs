using System.IO.Compression;
using Analytics.Api.Learning;
using Analytics.Learning.Features;
using Analytics.Learning.Registry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Api.Tests.Learning;

public sealed class ModelServingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "model-serving-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ModelCardDraft Draft() => new(
        DataSnapshot.FromCaseIds(["case-1"]),
        new FeatureSchema(["RO"]),
        new Dictionary<string, double> { ["seed"] = 42 },
        new ModelMetrics("macroF1", new Dictionary<string, double> { ["macroF1"] = 0.8 }),
        DateTimeOffset.UnixEpoch);

    // A valid zip whose class entries are numbered so that ordering them fails with an exception of no I/O or format type.
    private static void OddArtefact(Stream output)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        zip.CreateEntry("fasttree-class-0.zip");
        zip.CreateEntry("fasttree-class-99999999999.zip");
    }

    [Fact]
    public void Refresh_And_Registration_KeepServing_WhenAnArtefactFailsWithAnyException()
    {
        var registry = new ModelRegistry(_root);
        using var serving = new ModelServing(registry, NullLogger<ModelServing>.Instance);

        // Registration promotes the version and raises the change that makes serving load it: it must not throw.
        var registered = registry.Register(ModelNames.ExploitationType, Draft(), OddArtefact);
        serving.Refresh();
        var (active, failure) = serving.Activate(ModelNames.ExploitationType, registered.Version);

        Assert.Equal(registered.Version, registry.GetActiveVersion(ModelNames.ExploitationType));
        Assert.Null(serving.ExploitationType.Current);
        Assert.Null(active);
        Assert.Equal(nameof(OverflowException), failure);
    }
}
