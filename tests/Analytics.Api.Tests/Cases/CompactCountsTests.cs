using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Data.Cases;
using Analytics.Data.Database;

namespace Analytics.Api.Tests.Cases;

public sealed class CompactCountsTests
{
    [Fact]
    public void CompactCounts_SerialiseAndLookUp_LikeTheDictionary()
    {
        var counts = new Dictionary<string, int> { ["phone"] = 2, ["email"] = 1, ["name"] = 4 };

        var compact = new CompactCounts(counts);

        Assert.Equal(JsonSerializer.Serialize<IReadOnlyDictionary<string, int>>(counts), JsonSerializer.Serialize<IReadOnlyDictionary<string, int>>(compact));
        Assert.Equal(3, compact.Count);
        Assert.Equal(4, compact["name"]);
        Assert.False(compact.TryGetValue("iban", out _));
        Assert.Throws<KeyNotFoundException>(() => compact["iban"]);
    }

    [Fact]
    public void CaseWrite_KeepsProfileAndRecordAsUtf8_AndDecodesThemUnchanged()
    {
        const string record = "{\"narrative\":\"Anca M\u0103rgineanu \u2192 [name:k1:abc]\"}";
        var write = new CaseWrite("RO", "RO-A", "ref", "k1", "investigation", null, null, 1, 1, "{\"p\":1}", record, "hash", ["phone:k1:x"]);

        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(record), write.RecordUtf8.Length);
        Assert.Equal(record, write.Record);
        Assert.Equal("{\"p\":1}", write.Profile);
    }

    [Fact]
    public void PackedStrings_GiveBackEveryString_InOrder()
    {
        string[] tokens = ["phone:abc", "", "name:ăß→", "email:x"];

        var packed = PackedStrings.From(tokens);

        Assert.Equal(tokens, packed);
        Assert.Equal(4, packed.Count);
        Assert.Equal("name:ăß→", packed[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => packed[4]);
        Assert.Empty(PackedStrings.From([]));
        Assert.Same(packed, PackedStrings.From(packed));
    }

    [Fact]
    public void CaseWrite_KeepsItsTokensPacked_AndReadsThemBack()
    {
        var write = new CaseWrite("RO", "RO-A", "ref", "k1", "investigation", null, null, 1, 1, "{}", "{}", "hash", ["phone:k1:x", "email:k1:y"]);

        Assert.IsType<PackedStrings>(write.Tokens);
        Assert.Equal(["phone:k1:x", "email:k1:y"], write.Tokens);
        Assert.Equal(["phone:k1:x", "email:k1:y"], (write with { CaseRefToken = "other" }).Tokens);
    }

    [Fact]
    public void ProjectedRows_BuildEachRowWhenRead()
    {
        var built = 0;
        var rows = new ProjectedRows(3, i => { built++; return [i]; });

        Assert.Equal(0, built);
        Assert.Equal([0, 1, 2], rows.Select(r => (int)r[0]!));
        Assert.Equal(3, built);
        Assert.Equal(2, (int)rows[2][0]!);
        Assert.Throws<ArgumentOutOfRangeException>(() => rows[3]);
    }
}
