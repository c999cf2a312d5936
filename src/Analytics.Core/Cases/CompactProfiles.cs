using System.Collections;

namespace Analytics.Core.Cases;

/// <summary>
/// Case profiles held as codes in one integer array instead of one object graph per case: a profile of ~30 values takes
/// ~30 integers, and each distinct string is kept once. Reading a profile decodes a fresh <see cref="CaseProfile"/>
/// (short-lived; its strings are the shared ones), so a million profiles can be read by training, pass after pass,
/// without a million object graphs alive at once.
/// </summary>
/// <remarks>Adding is single-threaded; once filled, the list may be read from several threads.</remarks>
public sealed class CompactProfiles : IReadOnlyList<CaseProfile>
{
    // Code 0 is null; code c > 0 is _strings[c - 1].
    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);
    private readonly List<string> _strings = [];
    private int[] _data = new int[4096];
    private int _length;
    private int[] _offsets = new int[256];

    /// <summary>Number of profiles.</summary>
    public int Count { get; private set; }

    /// <summary>Integers held for all profiles (their size is four bytes each).</summary>
    public long Codes => _length;

    /// <summary>Distinct strings held.</summary>
    public int DistinctStrings => _strings.Count;

    /// <summary>Appends one profile.</summary>
    public void Add(CaseProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (Count == _offsets.Length)
            Array.Resize(ref _offsets, checked(_offsets.Length * 2));
        _offsets[Count] = _length;
        Put(Code(profile.Jurisdiction));
        Put(Code(profile.PeriodFrom));
        Put(profile.Victims.Count);
        for (var i = 0; i < profile.Victims.Count; i++)
        {
            var v = profile.Victims[i];
            Put(Code(v.AgeBand));
            Put(Code(v.Gender));
            Put(Code(v.Citizenship));
        }
        Put(profile.Suspects.Count);
        for (var i = 0; i < profile.Suspects.Count; i++)
        {
            var s = profile.Suspects[i];
            Put(Code(s.Role));
            Put(Code(s.RelationToVictim));
        }
        PutList(profile.RecruitmentChannels);
        PutList(profile.MeansOfControl);
        PutList(profile.ExploitationTypes);
        PutList(profile.LabourSectors);
        PutList(profile.RouteCountries);
        PutList(profile.ExploitationCountries);
        PutList(profile.EvidenceKinds);
        PutList(profile.Platforms);
        PutList(profile.PaymentChannels);
        Count++;
    }

    /// <summary>Decodes profile <paramref name="index"/> (a new object on every call).</summary>
    public CaseProfile this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var at = _offsets[index];
            var jurisdiction = Text(_data[at++]) ?? "";
            var periodFrom = Text(_data[at++]);
            var victims = new ProfileVictim[_data[at++]];
            for (var i = 0; i < victims.Length; i++, at += 3)
                victims[i] = new ProfileVictim(Text(_data[at]), Text(_data[at + 1]), Text(_data[at + 2]));
            var suspects = new ProfileSuspect[_data[at++]];
            for (var i = 0; i < suspects.Length; i++, at += 2)
                suspects[i] = new ProfileSuspect(Text(_data[at])!, Text(_data[at + 1]));
            return new CaseProfile
            {
                Jurisdiction = jurisdiction,
                PeriodFrom = periodFrom,
                Victims = victims.Length == 0 ? [] : victims,
                Suspects = suspects.Length == 0 ? [] : suspects,
                RecruitmentChannels = List(ref at),
                MeansOfControl = List(ref at),
                ExploitationTypes = List(ref at),
                LabourSectors = List(ref at),
                RouteCountries = List(ref at),
                ExploitationCountries = List(ref at),
                EvidenceKinds = List(ref at),
                Platforms = List(ref at),
                PaymentChannels = List(ref at),
            };
        }
    }

    /// <summary>Jurisdiction of profile <paramref name="index"/>, without decoding the rest.</summary>
    public string JurisdictionAt(int index) => Text(_data[_offsets[index]]) ?? "";

    /// <summary>Offence period start of profile <paramref name="index"/>, without decoding the rest.</summary>
    public string? PeriodFromAt(int index) => Text(_data[_offsets[index] + 1]);

    public IEnumerator<CaseProfile> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
            yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int Code(string? text)
    {
        if (text is null)
            return 0;
        ref var code = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_codes, text, out var exists);
        if (!exists)
        {
            _strings.Add(text);
            code = _strings.Count;
        }
        return code;
    }

    private string? Text(int code) => code == 0 ? null : _strings[code - 1];

    private void Put(int value)
    {
        if (_length == _data.Length)
            Array.Resize(ref _data, checked((int)Math.Min(Array.MaxLength, _data.Length * 2L)));
        _data[_length++] = value;
    }

    private void PutList(IReadOnlyList<string> values)
    {
        Put(values.Count);
        for (var i = 0; i < values.Count; i++)
            Put(Code(values[i]));
    }

    private IReadOnlyList<string> List(ref int at)
    {
        var count = _data[at++];
        if (count == 0)
            return [];
        var values = new string[count];
        for (var i = 0; i < count; i++)
            values[i] = Text(_data[at++])!;
        return values;
    }
}
