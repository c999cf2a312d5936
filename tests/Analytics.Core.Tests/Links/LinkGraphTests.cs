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
}
