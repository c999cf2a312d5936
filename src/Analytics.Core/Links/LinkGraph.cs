using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Links;

/// <summary>
/// One case in a link group. <see cref="MatchedTypes"/> are the identifier types of its tokens that a case of another
/// authority holds too: a token shared only with the same authority's cases links the case but is not what its authority
/// is told it matched (it knows its own cases). <see cref="TypesByAuthority"/> gives them per other authority, so that an
/// alert naming some authorities names only the types shared with their cases. A case joined to the other authorities
/// only through other cases of the group (a chain) has a group and a hit, and no matched type.
/// </summary>
public sealed record LinkedCase(string CaseId, string Jurisdiction, string Authority, IReadOnlyList<string> MatchedTypes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> TypesByAuthority)
{
    public LinkedCase(string caseId, string jurisdiction, string authority, IReadOnlyList<string> matchedTypes)
        : this(caseId, jurisdiction, authority, matchedTypes, new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal))
    {
    }

    /// <summary>The types of this case's tokens that a case of one of <paramref name="authorities"/> holds too, in <see cref="IdentifierTypes.All"/> order.</summary>
    public IReadOnlyList<string> TypesSharedWith(IEnumerable<string> authorities)
    {
        var shared = authorities.SelectMany(a => TypesByAuthority.TryGetValue(a, out var types) ? types : []).ToHashSet(StringComparer.Ordinal);
        return IdentifierTypes.All.Where(shared.Contains).ToList();
    }
}

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
/// and references to its jurisdiction and authority (each distinct value held once), and per shared token its holders'
/// indexes. The components are found when <see cref="Groups"/> is called, over the described cases only: a case that
/// is no longer active (never described, or <see cref="Forget"/>) neither joins two groups nor makes a type shared.
/// </summary>
public sealed class LinkGraph
{
    /// <summary>Identifier types that link cases. Names are homonym-prone and case references are per authority, so neither links.</summary>
    public static IReadOnlyList<string> LinkingTypes { get; } =
        IdentifierTypes.All.Where(t => t is not IdentifierTypes.Name and not IdentifierTypes.CaseReference).ToList();

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private readonly List<(string Jurisdiction, string Authority)?> _holders = [];
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    // Each shared token as a run of holder indexes in _tokenHolders, from _tokenStarts[t] to the next start, of type bit _tokenBits[t].
    private readonly List<int> _tokenHolders = [];
    private readonly List<int> _tokenStarts = [];
    private readonly List<int> _tokenBits = [];

    /// <summary>Cases that share a token with another case.</summary>
    public int CaseCount => _ids.Count;

    /// <summary>Records that the cases <paramref name="caseIds"/> all carry one token of <paramref name="type"/>.</summary>
    public void AddSharedToken(string type, IReadOnlyList<string> caseIds)
    {
        ArgumentNullException.ThrowIfNull(caseIds);
        if (caseIds.Count < 2) return;
        var bit = TypeBit(type);
        _tokenStarts.Add(_tokenHolders.Count);
        _tokenBits.Add(bit);
        foreach (var caseId in caseIds) _tokenHolders.Add(Node(caseId));
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

    /// <summary>
    /// Leaves a case out of <see cref="Groups"/> from now on, as if it had never been described: it was withdrawn after
    /// the graph was read. Returns whether the graph held it as a described case.
    /// </summary>
    public bool Forget(string caseId)
    {
        if (!_index.TryGetValue(caseId, out var i) || _holders[i] is null) return false;
        _holders[i] = null;
        return true;
    }

    /// <summary>The groups of at least two described cases, each with its cases ordered by id; a group's id is its smallest case id.</summary>
    public IReadOnlyList<LinkGroup> Groups()
    {
        var parent = new int[_ids.Count];
        for (var i = 0; i < parent.Length; i++) parent[i] = i;
        var shared = new int[_ids.Count];
        // Per case, the type bits it shares with each other authority; most linked cases have one or two counterparts.
        var byAuthority = new Dictionary<string, int>?[_ids.Count];
        var described = new List<int>();
        var authorities = new List<string>();
        for (var t = 0; t < _tokenStarts.Count; t++)
        {
            var end = t + 1 < _tokenStarts.Count ? _tokenStarts[t + 1] : _tokenHolders.Count;
            described.Clear();
            for (var h = _tokenStarts[t]; h < end; h++)
                if (_holders[_tokenHolders[h]] is not null) described.Add(_tokenHolders[h]);
            if (described.Count < 2) continue;
            var bit = _tokenBits[t];
            authorities.Clear();
            foreach (var i in described)
            {
                shared[i] |= bit;
                Union(parent, described[0], i);
                var authority = _holders[i]!.Value.Authority;
                if (!authorities.Contains(authority)) authorities.Add(authority);
            }
            if (authorities.Count < 2) continue;
            foreach (var i in described)
                foreach (var other in authorities)
                {
                    if (string.Equals(other, _holders[i]!.Value.Authority, StringComparison.Ordinal)) continue;
                    var mine = byAuthority[i] ??= new Dictionary<string, int>(StringComparer.Ordinal);
                    mine[other] = mine.GetValueOrDefault(other) | bit;
                }
        }

        var members = new Dictionary<int, List<int>>();
        for (var i = 0; i < _ids.Count; i++)
        {
            if (_holders[i] is null || shared[i] == 0) continue;
            var root = Find(parent, i);
            if (!members.TryGetValue(root, out var list)) members[root] = list = [];
            list.Add(i);
        }
        return members.Values.Where(list => list.Count > 1).Select(list =>
        {
            var cases = list.Select(i =>
                {
                    var (jurisdiction, authority) = _holders[i]!.Value;
                    var others = byAuthority[i];
                    IReadOnlyDictionary<string, IReadOnlyList<string>> types = others is null
                        ? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
                        : others.ToDictionary(o => o.Key, o => (IReadOnlyList<string>)TypesOf(o.Value), StringComparer.Ordinal);
                    return new LinkedCase(_ids[i], jurisdiction, authority, TypesOf(others?.Values.Aggregate(0, (m, b) => m | b) ?? 0), types);
                })
                .OrderBy(c => c.CaseId, StringComparer.Ordinal).ToList();
            var mask = list.Aggregate(0, (m, i) => m | shared[i]);
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
        return i;
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void Union(int[] parent, int a, int b)
    {
        var ra = Find(parent, a);
        var rb = Find(parent, b);
        if (ra == rb) return;
        // Keep the smaller index as root: deterministic, and trees stay shallow enough with path halving.
        if (ra < rb) parent[rb] = ra;
        else parent[ra] = rb;
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
