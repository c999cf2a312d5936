using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Links;

/// <summary>One case in a link group, with the identifier types it shares directly with another case of the group.</summary>
public sealed record LinkedCase(string CaseId, string Jurisdiction, string Authority, IReadOnlyList<string> MatchedTypes);

/// <summary>A connected component of cases that share tokens. <see cref="Id"/> is internal and never shown to prosecutors.</summary>
public sealed record LinkGroup(string Id, IReadOnlyList<LinkedCase> Cases, IReadOnlyList<string> Types)
{
    public IReadOnlyList<string> Jurisdictions { get; } = Cases.Select(c => c.Jurisdiction).Distinct().Order(StringComparer.Ordinal).ToList();
    public int AuthorityCount { get; } = Cases.Select(c => c.Authority).Distinct().Count();
    public bool CrossBorder => Jurisdictions.Count > 1;
}

/// <summary>
/// Union-find over "token shared by these cases" edges. Only cases that share at least one token enter it,
/// so memory grows with the linked cases, not with every stored case; per case it keeps an int and a type bit mask.
/// </summary>
public sealed class LinkGraph
{
    /// <summary>Identifier types that link cases. Names are homonym-prone and case references are per authority, so neither links.</summary>
    public static IReadOnlyList<string> LinkingTypes { get; } =
        IdentifierTypes.All.Where(t => t is not IdentifierTypes.Name and not IdentifierTypes.CaseReference).ToList();

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<(string Id, string Jurisdiction, string Authority)> _cases = [];
    private readonly List<int> _parent = [];
    private readonly List<int> _types = [];

    public int CaseCount => _cases.Count;

    /// <summary>Records that the cases in <paramref name="cases"/> all carry one token of <paramref name="type"/>.</summary>
    public void AddSharedToken(string type, IReadOnlyList<(string CaseId, string Jurisdiction, string Authority)> cases)
    {
        if (cases.Count < 2) return;
        var bit = TypeBit(type);
        var first = Node(cases[0]);
        _types[first] |= bit;
        for (var i = 1; i < cases.Count; i++)
        {
            var node = Node(cases[i]);
            _types[node] |= bit;
            Union(first, node);
        }
    }

    /// <summary>The groups, each with its cases ordered by id; a group's id is its smallest case id.</summary>
    public IReadOnlyList<LinkGroup> Groups()
    {
        var members = new Dictionary<int, List<int>>();
        for (var i = 0; i < _cases.Count; i++)
        {
            var root = Find(i);
            if (!members.TryGetValue(root, out var list)) members[root] = list = [];
            list.Add(i);
        }
        return members.Values.Select(list =>
        {
            var cases = list.Select(i => new LinkedCase(_cases[i].Id, _cases[i].Jurisdiction, _cases[i].Authority, TypesOf(_types[i])))
                .OrderBy(c => c.CaseId, StringComparer.Ordinal).ToList();
            var mask = list.Aggregate(0, (m, i) => m | _types[i]);
            return new LinkGroup(cases[0].CaseId, cases, TypesOf(mask));
        }).OrderBy(g => g.Id, StringComparer.Ordinal).ToList();
    }

    private int Node((string CaseId, string Jurisdiction, string Authority) c)
    {
        if (_index.TryGetValue(c.CaseId, out var i)) return i;
        i = _cases.Count;
        _index[c.CaseId] = i;
        _cases.Add(c);
        _parent.Add(i);
        _types.Add(0);
        return i;
    }

    private int Find(int i)
    {
        while (_parent[i] != i)
        {
            _parent[i] = _parent[_parent[i]];
            i = _parent[i];
        }
        return i;
    }

    private void Union(int a, int b)
    {
        var ra = Find(a);
        var rb = Find(b);
        if (ra == rb) return;
        // Keep the smaller index as root: deterministic, and trees stay shallow enough with path halving.
        if (ra < rb) _parent[rb] = ra;
        else _parent[ra] = rb;
    }

    private static int TypeBit(string type)
    {
        for (var i = 0; i < IdentifierTypes.All.Count; i++)
            if (IdentifierTypes.All[i] == type) return 1 << i;
        throw new ArgumentException($"Unknown identifier type '{type}'.", nameof(type));
    }

    private static List<string> TypesOf(int mask) =>
        IdentifierTypes.All.Where((_, i) => (mask & (1 << i)) != 0).ToList();
}
