using System.Text.Json;
using Analytics.Learning.Classification;
using Analytics.Learning.Features;
using Analytics.Learning.Registry;

namespace Analytics.Learning.Tests;

public sealed class RegistryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "learning-registry-" + Guid.NewGuid().ToString("N"));
    private readonly ModelRegistry _registry;

    public RegistryTests() => _registry = new ModelRegistry(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ModelCardDraft Draft(double macroF1) => new(
        DataSnapshot.FromCaseIds(["case-2", "case-1"]),
        new FeatureSchema(["RO", "IT"]),
        new Dictionary<string, double> { ["seed"] = 42, ["trees"] = 50 },
        new ModelMetrics("macroF1", new Dictionary<string, double> { ["macroF1"] = macroF1, ["accuracy"] = 0.9 }),
        DateTimeOffset.UnixEpoch);

    private RegistrationResult Register(double macroF1, string name = "exploitation-type") =>
        _registry.Register(name, Draft(macroF1), s => s.Write([1, 2, 3]));

    [Fact]
    public void Decide_Promotes_WhenCandidateBetterOrWithinTolerance()
    {
        var active = new ModelMetrics("macroF1", new Dictionary<string, double> { ["macroF1"] = 0.80 });
        Assert.True(PromotionPolicy.Decide(new("macroF1", new Dictionary<string, double> { ["macroF1"] = 0.85 }), active).Promote);
        Assert.True(PromotionPolicy.Decide(new("macroF1", new Dictionary<string, double> { ["macroF1"] = 0.79 }), active).Promote);
        Assert.True(PromotionPolicy.Decide(new("macroF1", new Dictionary<string, double> { ["macroF1"] = 0.1 }), null).Promote);
    }

    [Fact]
    public void Decide_KeepsCandidate_WhenWorseBeyondTolerance()
    {
        var active = new ModelMetrics("silhouette", new Dictionary<string, double> { ["silhouette"] = 0.50 });
        Assert.False(PromotionPolicy.Decide(new("silhouette", new Dictionary<string, double> { ["silhouette"] = 0.47 }), active).Promote);
        Assert.False(PromotionPolicy.Decide(new("macroF1", new Dictionary<string, double> { ["macroF1"] = 0.99 }), active).Promote);
    }

    [Fact]
    public void Register_ActivatesBetterAndKeepsWorseAsCandidate()
    {
        string? raised = null;
        _registry.ActiveVersionChanged += (_, e) => raised = e.Active;
        Assert.Equal("v1", Register(0.80).Version);
        Assert.Equal("v1", raised);
        var better = Register(0.85);
        Assert.True(better.Decision.Promote);
        Assert.Equal("v2", _registry.GetActiveVersion("exploitation-type"));
        var worse = Register(0.70);
        Assert.False(worse.Decision.Promote);
        var table = _registry.GetTable("exploitation-type");
        Assert.Equal("v2", table.Active);
        Assert.Equal([ModelStatus.Retired, ModelStatus.Active, ModelStatus.Candidate], table.Versions.Select(v => v.Status));
        Assert.True(File.Exists(Path.Combine(_root, "exploitation-type", "v3", "model.zip")));
        Assert.Equal("v2", raised);
    }

    [Fact]
    public void Rollback_RestoresPreviousActiveVersion()
    {
        Register(0.80);
        Register(0.85);
        Register(0.60);
        Assert.Equal("v3", _registry.Activate("exploitation-type", "v3"));
        string? raised = null;
        _registry.ActiveVersionChanged += (_, e) => raised = e.Active;
        Assert.Equal("v2", _registry.Rollback("exploitation-type"));
        Assert.Equal("v2", raised);
        Assert.Equal("v2", _registry.GetActiveVersion("exploitation-type"));
        Assert.Equal("v1", _registry.Rollback("exploitation-type"));
        Assert.Throws<InvalidOperationException>(() => _registry.Rollback("exploitation-type"));
        Assert.Equal("v1", _registry.GetActiveVersion("exploitation-type"));
    }

    [Fact]
    public void Register_LeavesActiveUntouched_WhenWritingModelFails()
    {
        Register(0.80);
        Assert.Throws<InvalidOperationException>(() =>
            _registry.Register("exploitation-type", Draft(0.99), _ => throw new InvalidOperationException("disk full")));
        Assert.Equal("v1", _registry.GetActiveVersion("exploitation-type"));
        Assert.Single(_registry.GetTable("exploitation-type").Versions);
        Assert.Equal(["registry.json", "v1"], Directory.EnumerateFileSystemEntries(Path.Combine(_root, "exploitation-type")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Register_DecidesOnTheActiveVersionsRecordedMetric_WhenItsCardIsGone()
    {
        Register(0.80);
        File.Delete(Path.Combine(_root, "exploitation-type", "v1", "model-card.json"));

        var better = Register(0.85);
        var worse = Register(0.50);

        Assert.True(better.Decision.Promote);
        Assert.False(worse.Decision.Promote);
        Assert.Equal("v2", _registry.GetActiveVersion("exploitation-type"));
        Assert.Equal(["v1", "v2", "v3"], _registry.GetTable("exploitation-type").Versions.Select(v => v.Version));
    }

    [Fact]
    public void Train_ThrowsClearErrorAndRegistryUnchanged_WhenDataIsEmpty()
    {
        Register(0.80);
        var error = Assert.Throws<ArgumentException>(() =>
        {
            var model = ClassifierTraining.TrainExploitationType([]);
            _registry.Register("exploitation-type", Draft(model.Metrics.MacroF1), model.Save);
        });
        Assert.Contains("case profiles", error.Message);
        Assert.Equal("v1", _registry.GetActiveVersion("exploitation-type"));
        Assert.False(Directory.Exists(Path.Combine(_root, "exploitation-type", "v2")));
    }

    [Fact]
    public void ModelCard_ContainsOnlyDocumentedKeys()
    {
        Register(0.80);
        using var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "exploitation-type", "v1", "model-card.json")));
        Assert.Equal(ModelCard.Keys.Order(), card.RootElement.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["caseCount", "sha256"], card.RootElement.GetProperty("dataSnapshot").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, card.RootElement.GetProperty("dataSnapshot").GetProperty("caseCount").GetInt32());
        Assert.DoesNotContain("case-1", card.RootElement.GetRawText());
        Assert.Equal("1", card.RootElement.GetProperty("featureSchema").GetProperty("version").GetString());
        Assert.Equal(0.80, _registry.ReadCard("exploitation-type", "v1").Metrics.PrimaryValue);
    }

    [Fact]
    public void DataSnapshot_SameHash_RegardlessOfOrder()
    {
        Assert.Equal(DataSnapshot.FromCaseIds(["a", "b"]), DataSnapshot.FromCaseIds(["b", "a"]));
        Assert.NotEqual(DataSnapshot.FromCaseIds(["ab", "c"]).Sha256, DataSnapshot.FromCaseIds(["a", "bc"]).Sha256);
    }
}
