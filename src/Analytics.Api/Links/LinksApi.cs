using System.Security.Claims;
using Analytics.Api.Auth;
using Analytics.Api.Learning;
using Analytics.Core.Disclosure;
using Analytics.Data.Cases;
using Analytics.Data.Links;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Links;

/// <summary>Where a case's linked cases are: one jurisdiction, how many cases, and whom to contact.</summary>
public sealed record LinkedJurisdiction(string Jurisdiction, bool Domestic, int Cases, IReadOnlyList<string> Authorities);

/// <summary>A prosecutor's view of one own case: hit or no hit, the identifier types that matched, and where.</summary>
/// <param name="Held">
/// Your authority reached the link probing limit and this case was changed within its window: whether it has a hit is
/// not told (hit is false and says nothing) until the hold ends.
/// </param>
public sealed record CaseLinks(string CaseId, bool Hit, bool CrossBorder, IReadOnlyList<string> MatchedTypes, IReadOnlyList<LinkedJurisdiction> Jurisdictions,
    bool Held = false);

/// <param name="HeldFrom">
/// Set while your authority is held for link probing: the hits of your cases changed since that instant are left out
/// until the hold ends. Null otherwise.
/// </param>
public sealed record CaseLinksPage(IReadOnlyList<CaseLinks> Items, string? Next, string? HeldFrom = null);

/// <param name="Id">
/// The alert's number within your authority: 1, 2, 3, … in the order raised. Other authorities' alerts are numbered on
/// their own, so the numbers say nothing about them. A number is never reused.
/// </param>
/// <param name="Ended">The case is no longer linked to any authority the alert names (one side withdrew or corrected its case).</param>
public sealed record LinkAlert(long Id, string CaseId, IReadOnlyList<string> NewJurisdictions, IReadOnlyList<string> NewAuthorities,
    IReadOnlyList<string> MatchedTypes, string CreatedAt, bool Read, bool Ended);

/// <param name="HeldFrom">
/// Set while your authority is held for link probing: the alerts of your cases changed since that instant are left out
/// until the hold ends, and are then listed with their numbers, unread (poll with <c>unread=true</c> to get them).
/// </param>
public sealed record LinkAlertPage(IReadOnlyList<LinkAlert> Items, long? Next, string? HeldFrom = null);

/// <summary>Marks the authority's alerts up to and including this alert number as read; required.</summary>
public sealed record MarkAlertsRead(long? UpTo);

public sealed record AlertsMarked(int Marked);

/// <summary>Cross-border groups counted for one jurisdiction pair and one identifier type; null when suppressed.</summary>
public sealed record LinkSummaryCell(string JurisdictionA, string JurisdictionB, string Type, int? Groups, bool Suppressed);

public sealed record LinkSummary(int DisclosureThreshold, ReleasedCount CrossBorderGroups, IReadOnlyList<LinkSummaryCell> Cells);

public sealed record LinkRecomputeQueued(string JobId);

/// <summary>
/// Cross-border links, hit / no hit. Prosecutors see their own cases' hits (types, jurisdictions, authorities to contact),
/// never an identifier, a token or another authority's case; analysts see disclosure-controlled counts only.
/// </summary>
public static class LinksApi
{
    public static IEndpointRouteBuilder MapLinksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/links").WithTags("Links");
        group.MapGet("/cases", ListCasesAsync).RequireAuthorization(Policies.Prosecutor)
            .WithName("ListLinkedCases").WithSummary("Your authority's cases that have a hit in another authority (keyset pagination).");
        group.MapGet("/cases/{caseId}", GetCaseAsync).RequireAuthorization(Policies.Prosecutor)
            .WithName("GetCaseLinks").WithSummary("Hit or no hit for one of your cases.");
        group.MapGet("/alerts", ListAlertsAsync).RequireAuthorization(Policies.Prosecutor)
            .WithName("ListLinkAlerts").WithSummary("New hits for your authority, oldest first or with order=newest newest first (keyset pagination).");
        group.MapPost("/alerts/read", MarkReadAsync).RequireAuthorization(Policies.Prosecutor)
            .WithName("MarkLinkAlertsRead").WithSummary("Mark your alerts up to a number as read.");
        group.MapGet("/summary", SummaryAsync).RequireAuthorization(Policies.Analyst)
            .WithName("LinkSummary").WithSummary("Cross-border link groups by jurisdiction pair and identifier type, disclosure-controlled.");
        group.MapPost("/recompute", Recompute).RequireAuthorization(Policies.Steward)
            .WithName("RecomputeLinks").WithSummary("Queue a recomputation of every link group now.");
        group.MapGet("/probing", ProbingAsync).RequireAuthorization(Policies.Steward)
            .WithName("LinkProbing").WithSummary("Authorities that lost hits by their own changes within the probing window, and which are held.");
        group.MapPost("/probing/{authority}/release", ReleaseProbingAsync).RequireAuthorization(Policies.Steward)
            .WithName("ReleaseLinkProbing").WithSummary("Lift an authority's link probing hold now: the hits it lost until now no longer count.");
        return app;
    }

    public static async Task<Results<Ok<CaseLinksPage>, ValidationProblem>> ListCasesAsync(ClaimsPrincipal user, LinkStore links,
        IOptions<LinkProbingOptions> probing, string? after, int? limit, CancellationToken ct)
    {
        var (take, problem) = Errors.QueryValues.Take(limit, 100, 1000);
        if (problem is not null) return problem;
        (after, problem) = Errors.QueryValues.CaseIdCursor(after);
        if (problem is not null) return problem;
        var heldFrom = await HeldFromAsync(links, probing.Value, user.AuthorityOf()!, ct);
        var (ids, hits) = await links.HitsAsync(user.JurisdictionOf()!, user.AuthorityOf()!, after, take + 1, ct, heldFrom);
        var page = ids.Take(take).ToList();
        var byCase = hits.ToLookup(h => h.CaseId);
        var items = page.Select(id => View(id, byCase[id].ToList(), user.JurisdictionOf()!)).ToList();
        return TypedResults.Ok(new CaseLinksPage(items, ids.Count > take ? page[^1] : null, heldFrom));
    }

    /// <summary>The instant from which the authority's changed cases have their hits held back, or null when it is not held.</summary>
    private static async Task<string?> HeldFromAsync(LinkStore links, LinkProbingOptions probing, string authority, CancellationToken ct) =>
        probing.Limit == 0 ? null : (await links.ProbeStandingsAsync(probing.Quota, authority, ct)).SingleOrDefault()?.HeldFrom;

    public static async Task<Results<Ok<CaseLinks>, ProblemHttpResult>> GetCaseAsync(
        string caseId, ClaimsPrincipal user, LinkStore links, CaseStore cases, IOptions<LinkProbingOptions> probing, CancellationToken ct)
    {
        // Another authority's case answers exactly like a missing one, so ids reveal nothing.
        if (caseId.Length > 64) return NotFound();
        // Ids are GUIDs, which are case-insensitive; they are stored in lower case (as the cases API finds them).
        caseId = caseId.ToLowerInvariant();
        var row = await cases.FindAsync(caseId, ct);
        if (row is null || row.Authority != user.AuthorityOf() || row.Jurisdiction != user.JurisdictionOf()) return NotFound();
        // Held whether it has a hit or not, so that being held says nothing about the hit.
        if (await HeldFromAsync(links, probing.Value, row.Authority, ct) is { } heldFrom && string.CompareOrdinal(row.UpdatedAt, heldFrom) >= 0)
            return TypedResults.Ok(new CaseLinks(caseId, false, false, [], [], Held: true));
        var hits = await links.HitsOfCaseAsync(row.Jurisdiction, row.Authority, caseId, ct);
        return TypedResults.Ok(View(caseId, hits, row.Jurisdiction));
    }

    /// <param name="after">The <c>next</c> of the previous page: alerts after that number in the chosen order.</param>
    /// <param name="order"><c>oldest</c> (the default) or <c>newest</c> first.</param>
    /// <param name="since">An ISO 8601 instant with <c>Z</c> or an offset; one without is refused, not read in the server's zone.</param>
    public static async Task<Results<Ok<LinkAlertPage>, ValidationProblem>> ListAlertsAsync(
        ClaimsPrincipal user, LinkStore links, IOptions<LinkProbingOptions> probing, string? since, long? after, bool? unread, int? limit, string? order,
        CancellationToken ct)
    {
        var (take, problem) = Errors.QueryValues.Take(limit, 100, 1000);
        if (problem is not null) return problem;
        if (Errors.QueryValues.NumberCursor(after) is { } cursorProblem) return cursorProblem;
        var (from, sinceProblem) = Errors.QueryValues.Instant(since, nameof(since));
        if (sinceProblem is not null) return sinceProblem;
        if (order is not (null or "oldest" or "newest"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/order"] = ["oldest (the default) or newest"] },
                title: "Invalid order; nothing was read.");
        var heldFrom = await HeldFromAsync(links, probing.Value, user.AuthorityOf()!, ct);
        var rows = await links.AlertsAsync(user.AuthorityOf()!, from?.ToUniversalTime().ToString("O"), after, unread ?? false, take + 1, ct,
            newestFirst: order == "newest", heldFrom: heldFrom);
        var items = rows.Take(take).Select(a => new LinkAlert(a.Id, a.CaseId, Split(a.NewJurisdictions), Split(a.NewAuthorities), Split(a.Types),
            a.CreatedAt, a.ReadAt is not null, a.Ended)).ToList();
        return TypedResults.Ok(new LinkAlertPage(items, rows.Count > take ? items[^1].Id : null, heldFrom));
    }

    public static async Task<Results<Ok<AlertsMarked>, ValidationProblem>> MarkReadAsync(MarkAlertsRead request, ClaimsPrincipal user, LinkStore links, CancellationToken ct) =>
        request.UpTo is { } upTo and >= 0
            ? TypedResults.Ok(new AlertsMarked(await links.MarkAlertsReadAsync(user.AuthorityOf()!, upTo, ct)))
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/upTo"] = ["required: the number of the newest alert to mark as read (0 or more)"] },
                title: "Nothing was marked as read.");

    private static IEnumerable<(string A, string B, string Type)> CellsOf(IReadOnlyList<string> jurisdictions, IReadOnlyList<string> types) =>
        jurisdictions.SelectMany((a, i) => jurisdictions.Skip(i + 1).SelectMany(b => types.Select(t => (a, b, t))));

    /// <summary>Most sets of released cells looked at for one summary; beyond it the total is withheld rather than checked.</summary>
    public const int MaxCellSetsChecked = 200_000;

    /// <summary>
    /// True when some set of released cells that share no group (so that their counts add up to the groups they hold
    /// together) leaves, taken off the total, a count from 1 to k − 1: the groups found only outside them. Sets are
    /// grown one cell at a time, each cell only if it shares no group with those already taken; past
    /// <see cref="MaxCellSetsChecked"/> sets the answer is true, so an unchecked total is never released.
    /// </summary>
    /// <param name="cellsOfGroup">For each group, the released cells it counts in.</param>
    internal static bool DisjointCellsLeaveASmallCount<TCell>(IReadOnlyList<List<TCell>> cellsOfGroup, IReadOnlyList<TCell> released, int total, int k)
        where TCell : notnull
    {
        var index = released.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        var words = (cellsOfGroup.Count + 63) / 64;
        var members = released.Select(_ => new ulong[words]).ToArray();
        var sizes = new int[released.Count];
        for (var g = 0; g < cellsOfGroup.Count; g++)
            foreach (var cell in cellsOfGroup[g])
            {
                var i = index[cell];
                members[i][g / 64] |= 1UL << (g % 64);
                sizes[i]++;
            }
        var visited = 0;
        var taken = new ulong[words];
        return Grow(0, 0);

        bool Grow(int from, int held)
        {
            for (var i = from; i < released.Count; i++)
            {
                if (++visited > MaxCellSetsChecked) return true;
                var cell = members[i];
                var shares = false;
                for (var w = 0; w < words && !shares; w++) shares = (taken[w] & cell[w]) != 0;
                if (shares) continue;
                if (!DisclosureControl.CanRelease(total - held - sizes[i], k)) return true;
                for (var w = 0; w < words; w++) taken[w] |= cell[w];
                var found = Grow(i + 1, held + sizes[i]);
                for (var w = 0; w < words; w++) taken[w] &= ~cell[w];
                if (found) return true;
            }
            return false;
        }
    }

    public static async Task<Ok<LinkSummary>> SummaryAsync(LinkStore links, IOptions<LearningOptions> options, CancellationToken ct)
    {
        var k = options.Value.DisclosureThreshold;
        var groups = await links.CrossBorderGroupsAsync(ct);
        // A group counts once in every jurisdiction pair it spans, for every identifier type that joins it.
        var cellsOfGroups = groups.Select(g => CellsOf(Split(g.Jurisdictions), Split(g.Types)).ToList()).ToList();
        var cells = cellsOfGroups.SelectMany(c => c)
            .GroupBy(c => c)
            .OrderBy(c => c.Key.A, StringComparer.Ordinal).ThenBy(c => c.Key.B, StringComparer.Ordinal).ThenBy(c => c.Key.Type, StringComparer.Ordinal)
            .Select(c => (Key: c.Key, Count: c.Count()))
            .ToList();
        var released = DisclosureControl.Release(cells.Select(c => ($"{c.Key.A}|{c.Key.B}|{c.Key.Type}", c.Count)), k);
        var view = cells.Zip(released, (c, r) => new LinkSummaryCell(c.Key.A, c.Key.B, c.Key.Type, r.Count, r.Suppressed)).ToList();
        // The cells are not parts of the total (a group may count in several), so the secondary suppression above does not
        // protect them against it: the total less a released cell is the groups outside that cell, which may be the groups
        // of a withheld cell alone; and released cells that share no group (their jurisdictions are never joined, as the
        // absent cells show) can be taken off together, which leaves the groups outside them. Nor may the groups in no
        // released cell be a small count. The total is withheld where any of these would be a count from 1 to k − 1.
        const string totalKey = "cross-border groups";
        var releasedCells = cells.Zip(released).Where(c => !c.Second.Suppressed).Select(c => c.First.Key).ToHashSet();
        var releasedOfGroups = cellsOfGroups.Select(c => c.Where(releasedCells.Contains).ToList()).ToList();
        var outsideSmall = !DisclosureControl.CanRelease(releasedOfGroups.Count(c => c.Count == 0), k)
            || DisjointCellsLeaveASmallCount(releasedOfGroups, releasedCells.ToList(), groups.Count, k);
        var total = DisclosureControl.Release([(totalKey, groups.Count)], k, totalReleased: false,
            withhold: outsideSmall ? new HashSet<string>(StringComparer.Ordinal) { totalKey } : null)[0];
        return TypedResults.Ok(new LinkSummary(k, total, view));
    }

    public static async Task<Ok<LinkProbing>> ProbingAsync(LinkStore links, IOptions<LinkProbingOptions> probing, CancellationToken ct)
    {
        var standings = await links.ProbeStandingsAsync(probing.Value.Quota, null, ct);
        return TypedResults.Ok(new LinkProbing(probing.Value.Limit, probing.Value.WindowDays, standings.Select(AuthorityProbing.Of).ToList()));
    }

    /// <summary>
    /// Lifts an authority's hold now, for a steward who finds it unwarranted: the hits it lost until now no longer count,
    /// and its cases changed before now are not held again. The release (who, which authority, when) is kept with the
    /// authority and in the audit trail. An authority that is not held answers 404, whether it is known or not.
    /// </summary>
    public static async Task<Results<Ok<AuthorityProbing>, ProblemHttpResult>> ReleaseProbingAsync(
        string authority, HttpContext http, ClaimsPrincipal user, LinkStore links, IOptions<LinkProbingOptions> probing, CancellationToken ct)
    {
        var standing = probing.Value.Limit == 0 || authority.Length > MaxAuthorityLength
            ? null
            : (await links.ProbeStandingsAsync(probing.Value.Quota, authority, ct)).SingleOrDefault();
        if (standing?.HeldFrom is null)
            return TypedResults.Problem("No authority of this name is held for link probing; nothing was released.",
                statusCode: StatusCodes.Status404NotFound, title: "Authority not held");
        var by = user.PrincipalId();
        await links.ReleaseProbingAsync(authority, DateTimeOffset.UtcNow, by.Length > MaxAuthorityLength * 2 ? by[..(MaxAuthorityLength * 2)] : by, ct);
        // The route value is not an id the audit trail keeps as typed; a held authority's code, checked above, is.
        Audit.AuditDetails.Add(http, "authority", authority);
        var released = (await links.ProbeStandingsAsync(probing.Value.Quota, authority, ct)).Single();
        return TypedResults.Ok(AuthorityProbing.Of(released));
    }

    // The authority column's size on SQL Server (link_probes, link_probe_releases).
    private const int MaxAuthorityLength = 200;

    public static Accepted<LinkRecomputeQueued> Recompute(IBackgroundJobClient jobs)
    {
        var id = jobs.Enqueue<LinkJobs>(j => j.ComputeLinksAsync(CancellationToken.None, false));
        return TypedResults.Accepted($"/api/v1/jobs/runs?job={LinkJobs.ComputeJob}", new LinkRecomputeQueued(id));
    }

    private static CaseLinks View(string caseId, IReadOnlyList<CaseHitRow> hits, string ownJurisdiction)
    {
        var jurisdictions = hits.GroupBy(h => h.Jurisdiction)
            .Select(g => new LinkedJurisdiction(g.Key, g.Key == ownJurisdiction, g.Sum(h => h.Cases), g.Select(h => h.Authority).Order(StringComparer.Ordinal).ToList()))
            .OrderBy(j => j.Domestic).ThenBy(j => j.Jurisdiction, StringComparer.Ordinal)
            .ToList();
        var types = hits.Count == 0 ? [] : Split(hits[0].Types);
        return new CaseLinks(caseId, hits.Count > 0, jurisdictions.Any(j => !j.Domestic), types, jurisdictions);
    }

    private static List<string> Split(string csv) => csv.Length == 0 ? [] : csv.Split(',').ToList();

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem("No case with this id belongs to your authority.", statusCode: 404, title: "Case not found");
}
