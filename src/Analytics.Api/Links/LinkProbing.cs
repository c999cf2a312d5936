using System.ComponentModel.DataAnnotations;
using Analytics.Data.Links;

namespace Analytics.Api.Links;

/// <summary>
/// The limit on link probing: submitting a guessed identifier, reading hit or no hit, and taking the case back. The link
/// job counts every hit a case loses by its own authority's change (withdrawn, or corrected so that a link ended). An
/// authority that has lost <see cref="Limit"/> hits within the last <see cref="WindowDays"/> days has the hits and alerts
/// of its cases changed in that window held back from it until the count falls below the limit; everything else goes on
/// (it submits, corrects and withdraws as before, sees its older cases' hits, and the other authorities see their hits
/// and alerts about its cases).
/// </summary>
public sealed class LinkProbingOptions
{
    public const string Section = "Links:Probing";

    /// <summary>Hits an authority may lose by its own changes within the window before it is held; 0 turns the limit off.</summary>
    [Range(0, 10_000)]
    public int Limit { get; set; } = 10;

    /// <summary>The rolling window the lost hits are counted in, in days.</summary>
    [Range(1, 365)]
    public int WindowDays { get; set; } = 30;

    public ProbeQuota Quota => new(Limit, TimeSpan.FromDays(WindowDays));
}

/// <summary>An authority's lost hits in the window; <see cref="Held"/> when it reached the limit, until <see cref="HeldUntil"/> if it loses no other.</summary>
/// <param name="LostHits">Hits lost within the window since the authority's last release; only these count against the limit.</param>
/// <param name="ReleasedAt">When a steward last released the authority's hold (hits lost until then no longer count); null when never.</param>
/// <param name="ReleasedBy">The key id (or token subject) of the steward who released it last.</param>
public sealed record AuthorityProbing(string Authority, int LostHits, bool Held, string? HeldFrom, string? HeldUntil, string? ReleasedAt, string? ReleasedBy)
{
    public static AuthorityProbing Of(ProbeStanding standing) => new(standing.Authority, standing.LostHits, standing.HeldFrom is not null,
        standing.HeldFrom, standing.HeldUntil, standing.ReleasedAt, standing.ReleasedBy);
}

/// <summary>The probing limit as configured, and every authority that lost a hit by its own change within the window.</summary>
public sealed record LinkProbing(int Limit, int WindowDays, IReadOnlyList<AuthorityProbing> Authorities);
