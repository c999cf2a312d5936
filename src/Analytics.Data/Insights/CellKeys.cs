using Analytics.Core.Disclosure;
using Analytics.Core.Pseudonymisation;

namespace Analytics.Data.Insights;

/// <summary>
/// The record keys of cases for cell-key perturbation (<see cref="CellKeyPerturbation"/>). Their secret is derived from the
/// oldest pseudonymisation key, which stays in the ring through every rotation, so released counts do not change when a
/// key is rotated. Nothing is stored per case: the refresh job works the keys out from the case ids each time.
/// </summary>
public sealed class CellKeys(KeyRing keys)
{
    private readonly byte[] _secret = CellKeyPerturbation.DeriveSecret(keys.Keys[0].Secret);

    /// <summary>The record key of one case.</summary>
    public uint Of(string caseId) => CellKeyPerturbation.RecordKey(_secret, caseId);

    /// <summary>The record keys of many cases, in their order.</summary>
    public uint[] Of(IReadOnlyList<string> caseIds) => CellKeyPerturbation.RecordKeys(_secret, caseIds);

    /// <summary>Works out record keys one case at a time, for a reader that streams the cases (dispose it after).</summary>
    public CellKeyPerturbation.RecordKeyer Keyer() => new(_secret);
}
