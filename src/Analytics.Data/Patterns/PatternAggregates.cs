using System.Runtime.InteropServices;
using Analytics.Core.Cases;

namespace Analytics.Data.Patterns;

/// <summary>An active case as the aggregate refresh reads it (<see cref="PatternStore.StreamForAggregatesAsync"/>).</summary>
/// <param name="CaseId">The case's id, from which its record key follows.</param>
/// <param name="Profile">The parts of the profile the aggregates read; the other lists are empty.</param>
/// <param name="PeriodFrom">The case row's own period column, which the monthly pattern counts go by.</param>
/// <param name="Jurisdiction">The case row's own jurisdiction column, which the monthly pattern counts go by.</param>
/// <param name="PatternId">The case's pattern under the version read, if it has one.</param>
public sealed record AggregateCase(string CaseId, CaseProfile Profile, string? PeriodFrom, string Jurisdiction, int? PatternId);

/// <summary>
/// The monthly per-pattern counts and the filterable per-pattern cells of one model version, added up one case at a time,
/// then written by <see cref="PatternStore.ReplaceAggregatesAsync"/>. Each case lands in exactly one cell (its sets of
/// exploitation types and age bands are one key each), which also keeps the sum of its cases' record keys.
/// </summary>
public sealed class PatternAggregates
{
    private readonly Dictionary<(int Pattern, string Month, string Jurisdiction), int> _monthly = [];
    private readonly Dictionary<(int Pattern, string Month, string Jurisdiction, string Types, string Bands), (int Cases, uint Key)> _cells = [];
    private readonly SetKeys _setKeys = new();
    private readonly List<string> _codes = [];

    /// <summary>Cases per pattern, month of the case row's period (or "unknown") and its jurisdiction.</summary>
    public IReadOnlyDictionary<(int Pattern, string Month, string Jurisdiction), int> Monthly => _monthly;

    /// <summary>Cases and the sum of their record keys per pattern, month, jurisdiction, exploitation-type set and age-band set of the profile.</summary>
    public IReadOnlyDictionary<(int Pattern, string Month, string Jurisdiction, string Types, string Bands), (int Cases, uint Key)> Cells => _cells;

    /// <summary>Counts one case assigned to a pattern; a case without one is not counted.</summary>
    public void Add(AggregateCase c, uint recordKey)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (c.PatternId is not { } pattern) return;
        CollectionsMarshal.GetValueRefOrAddDefault(_monthly, (pattern, c.PeriodFrom ?? PatternStore.UnknownMonth, c.Jurisdiction), out _)++;

        var p = c.Profile;
        _codes.Clear();
        _codes.AddRange(p.ExploitationTypes);
        var types = _setKeys.Of(_codes);
        _codes.Clear();
        foreach (var victim in p.Victims)
            if (victim.AgeBand is { } band) _codes.Add(band);
        var bands = _setKeys.Of(_codes);
        ref var cell = ref CollectionsMarshal.GetValueRefOrAddDefault(_cells, (pattern, p.PeriodFrom ?? PatternStore.UnknownMonth, p.Jurisdiction, types, bands), out _);
        cell = (cell.Cases + 1, unchecked(cell.Key + recordKey));
    }

    /// <summary>
    /// <see cref="PatternStore.SetKey"/> of a list of codes, each distinct key made once: the sets repeat from case to case.
    /// </summary>
    private sealed class SetKeys
    {
        private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
        private char[] _buffer = new char[256];

        public string Of(List<string> codes)
        {
            codes.Sort(StringComparer.Ordinal);
            var length = 1;
            for (var i = 0; i < codes.Count; i++)
                if (i == 0 || !string.Equals(codes[i], codes[i - 1], StringComparison.Ordinal)) length += codes[i].Length + 1;
            if (_buffer.Length < length) _buffer = new char[Math.Max(length, _buffer.Length * 2)];
            var at = 0;
            _buffer[at++] = '|';
            for (var i = 0; i < codes.Count; i++)
            {
                if (i > 0 && string.Equals(codes[i], codes[i - 1], StringComparison.Ordinal)) continue;
                codes[i].CopyTo(_buffer.AsSpan(at));
                at += codes[i].Length;
                _buffer[at++] = '|';
            }
            var key = _buffer.AsSpan(0, at);
            if (_keys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var known)) return known;
            var made = key.ToString();
            _keys[made] = made;
            return made;
        }
    }
}
