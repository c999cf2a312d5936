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
/// so memory grows with the linked cases, not with every stored case; per case it keeps its id, an int, a type bit mask
/// and references to its jurisdiction and authority (each distinct value held once).
/// </summary>
public sealed class LinkGraph
{
    /// <summary>Identifier types that link cases. Names are homonym-prone and case references are per authority, so neither links.</summary>
    public static IReadOnlyList<string> LinkingTypes { get; } =
        IdentifierTypes.All.Where(t => t is not IdentifierTypes.Name and not IdentifierTypes.CaseReference).ToList();

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private readonly List<(string Jurisdiction, string Authority)?> _holders = [];
    private readonly List<int> _parent = [];
    private readonly List<int> _types = [];
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    /// <summary>Cases that share a token with another case.</summary>
    public int CaseCount => _ids.Count;

    /// <summary>Records that the cases <paramref name="caseIds"/> all carry one token of <paramref name="type"/>.</summary>
    public void AddSharedToken(string type, IReadOnlyList<string> caseIds)
    {
        ArgumentNullException.ThrowIfNull(caseIds);
        if (caseIds.Count < 2) return;
        var bit = TypeBit(type);
        var first = Node(caseIds[0]);
        _types[first] |= bit;
        for (var i = 1; i < caseIds.Count; i++)
        {
            var node = Node(caseIds[i]);
            _types[node] |= bit;
            Union(first, node);
        }
    }

    /// <summary>
    /// Gives a case's jurisdiction and authority; a case the graph does not hold is ignored, so every stored case can be
    /// offered. A linked case never described (no longer active by the time holders were read) is left out of
    /// <see cref="Groups"/>.
    /// </summary>
    public void Describe(string caseId, string jurisdiction, string authority)
    {
        if (!_index.TryGetValue(caseId, out var i)) return;
        _holders[i] = (Intern(jurisdiction), Intern(authority));
    }

    /// <summary>
    /// <see cref="Describe(string, string, string)"/> from characters a reader already holds: nothing is allocated for a
    /// case the graph does not hold, nor for a jurisdiction or authority it has seen before.
    /// </summary>
    public void Describe(ReadOnlySpan<char> caseId, ReadOnlySpan<char> jurisdiction, ReadOnlySpan<char> authority)
    {
        if (!_index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(caseId, out var i)) return;
        _holders[i] = (Intern(jurisdiction), Intern(authority));
    }

    /// <summary>The groups of at least two described cases, each with its cases ordered by id; a group's id is its smallest case id.</summary>
    public IReadOnlyList<LinkGroup> Groups()
    {
        var members = new Dictionary<int, List<int>>();
        for (var i = 0; i < _ids.Count; i++)
        {
            if (_holders[i] is null) continue;
            var root = Find(i);
            if (!members.TryGetValue(root, out var list)) members[root] = list = [];
            list.Add(i);
        }
        return members.Values.Where(list => list.Count > 1).Select(list =>
        {
            var cases = list.Select(i => new LinkedCase(_ids[i], _holders[i]!.Value.Jurisdiction, _holders[i]!.Value.Authority, TypesOf(_types[i])))
                .OrderBy(c => c.CaseId, StringComparer.Ordinal).ToList();
            var mask = list.Aggregate(0, (m, i) => m | _types[i]);
            return new LinkGroup(cases[0].CaseId, cases, TypesOf(mask));
        }).OrderBy(g => g.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The graph's own string for a case it already holds, or a new one for a case it does not: a reader that sees the
    /// same case under many tokens makes one string for it, and keeps no index of its own.
    /// </summary>
    public string CaseId(ReadOnlySpan<char> caseId) =>
        _index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(caseId, out var held, out _) ? held : new string(caseId);

    private string Intern(string value)
    {
        if (_names.TryGetValue(value, out var held)) return held;
        _names[value] = value;
        return value;
    }

    private string Intern(ReadOnlySpan<char> value)
    {
        var names = _names.GetAlternateLookup<ReadOnlySpan<char>>();
        if (names.TryGetValue(value, out _, out var held)) return held;
        var text = new string(value);
        _names[text] = text;
        return text;
    }

    private int Node(string caseId)
    {
        if (_index.TryGetValue(caseId, out var i)) return i;
        i = _ids.Count;
        _index[caseId] = i;
        _ids.Add(caseId);
        _holders.Add(null);
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
