using Analytics.Core.Links;

namespace Analytics.Core.Tests.Links;

public class LinkGraphTests
{
    private static LinkGraph ChainOfThree()
    {
        var graph = new LinkGraph();
        graph.AddSharedToken("phone", ["c-2", "c-1"]);
        graph.AddSharedToken("email", ["c-2", "c-3"]);
        // A token held by one case links nothing.
        graph.AddSharedToken("iban", ["c-9"]);
        return graph;
    }

    [Fact]
    public void Groups_JoinCasesThroughSharedTokens_WithEachCasesHolderAndMatchedTypes()
    {
        var graph = ChainOfThree();
        graph.Describe("c-1", "RO", "RO-A");
        graph.Describe("c-2", "IT", "IT-B");
        graph.Describe("c-3", "IT", "IT-C");
        graph.Describe("c-9", "DE", "DE-D"); // not linked: ignored

        var group = Assert.Single(graph.Groups());

        Assert.Equal(3, graph.CaseCount);
        Assert.Equal("c-1", group.Id);
        Assert.Equal(["email", "phone"], group.Types.Order(StringComparer.Ordinal));
        Assert.Equal(["IT", "RO"], group.Jurisdictions);
        Assert.Equal(3, group.AuthorityCount);
        Assert.Equal(
            [("c-1", "RO", "RO-A", "phone"), ("c-2", "IT", "IT-B", "phone,email"), ("c-3", "IT", "IT-C", "email")],
            group.Cases.Select(c => (c.CaseId, c.Jurisdiction, c.Authority, string.Join(',', c.MatchedTypes))));
    }

    [Fact]
    public void CaseNeverDescribed_IsLeftOut_AndAGroupLeftWithOneCaseIsNoGroup()
    {
        // c-3 was withdrawn between reading the tokens and reading the holders.
        var graph = ChainOfThree();
        graph.Describe("c-1", "RO", "RO-A");
        graph.Describe("c-2", "IT", "IT-B");
        Assert.Equal(["c-1", "c-2"], Assert.Single(graph.Groups()).Cases.Select(c => c.CaseId));

        var lone = ChainOfThree();
        lone.Describe("c-1", "RO", "RO-A");
        Assert.Empty(lone.Groups());
    }

    [Fact]
    public void CaseId_HandsBackTheGraphsOwnString_ForACaseItHolds()
    {
        var held = new string("c-1".AsSpan());
        var graph = new LinkGraph();
        graph.AddSharedToken("phone", [held, "c-2"]);

        Assert.Same(held, graph.CaseId("c-1".AsSpan()));
        var unknown = graph.CaseId("c-9".AsSpan());
        Assert.Equal("c-9", unknown);
        Assert.Equal(2, graph.CaseCount);
    }

    [Fact]
    public void MatchedTypes_AreThoseSharedWithAnotherAuthority_AndPerAuthorityOnlyTheDirectOnes()
    {
        // A1 shares a phone with B and an e-mail with A2 (its own authority); B shares an IBAN with C.
        var graph = new LinkGraph();
        graph.AddSharedToken("phone", ["a-1", "b-1"]);
        graph.AddSharedToken("email", ["a-1", "a-2"]);
        graph.AddSharedToken("iban", ["b-1", "c-1"]);
        graph.Describe("a-1", "RO", "RO-A");
        graph.Describe("a-2", "RO", "RO-A");
        graph.Describe("b-1", "IT", "IT-B");
        graph.Describe("c-1", "DE", "DE-C");

        var group = Assert.Single(graph.Groups());
        var cases = group.Cases.ToDictionary(c => c.CaseId);

        Assert.Equal(["phone", "email", "iban"], group.Types);
        Assert.Equal(["phone"], cases["a-1"].MatchedTypes);
        Assert.Empty(cases["a-2"].MatchedTypes); // in the group through A1 only
        Assert.Equal(["phone"], cases["a-1"].TypesSharedWith(["IT-B"]));
        Assert.Empty(cases["a-1"].TypesSharedWith(["DE-C"])); // C is reached through B's IBAN, which A1 does not hold
        Assert.Equal(["phone"], cases["a-1"].TypesSharedWith(["IT-B", "DE-C"]));
        Assert.Equal(["phone", "iban"], cases["b-1"].MatchedTypes);
        Assert.Equal(["iban"], cases["b-1"].TypesSharedWith(["DE-C"]));
    }

    [Fact]
    public void Forget_SplitsTheGroupsACaseJoined_AndDropsTheTypesItAloneShared()
    {
        var graph = ChainOfThree();
        graph.Describe("c-1", "RO", "RO-A");
        graph.Describe("c-2", "IT", "IT-B");
        graph.Describe("c-3", "DE", "DE-C");
        Assert.Single(graph.Groups());

        Assert.True(graph.Forget("c-2"));
        Assert.False(graph.Forget("c-2"));
        Assert.False(graph.Forget("c-9"));

        Assert.Empty(graph.Groups()); // c-1 and c-3 were joined only through c-2
    }

    [Fact]
    public void CaseNeverDescribed_JoinsNoGroups_AndMakesNoTypeShared()
    {
        var graph = new LinkGraph();
        graph.AddSharedToken("phone", ["c-1", "c-2"]);
        graph.AddSharedToken("email", ["c-2", "c-3"]);
        graph.AddSharedToken("iban", ["c-1", "c-3"]);
        graph.Describe("c-1", "RO", "RO-A");
        graph.Describe("c-3", "IT", "IT-B");

        var group = Assert.Single(graph.Groups());
        Assert.Equal(["c-1", "c-3"], group.Cases.Select(c => c.CaseId));
        Assert.Equal(["iban"], group.Types);
        Assert.All(group.Cases, c => Assert.Equal(["iban"], c.MatchedTypes));
    }
}
