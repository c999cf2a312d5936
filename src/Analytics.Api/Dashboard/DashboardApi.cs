using System.Security.Claims;
using Analytics.Api.Auth;
using Analytics.Core.Cases;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Dashboard;

/// <summary>Who is signed in: what the web dashboard needs to follow the role. Nothing secret.</summary>
public sealed record Me(string Role, string? Jurisdiction, string? Authority, string KeyId);

public sealed record CodeListEntry(string Code, string Label);

/// <summary>The small API the web dashboard needs beyond the feature APIs, and the static files it is made of.</summary>
public static class DashboardApi
{
    /// <summary>Code lists the dashboard offers in forms (matching, route filters) or uses for labels (identifier types of link hits).</summary>
    private static readonly HashSet<string> _formLists =
    [
        CodeLists.AgeBands, CodeLists.Genders, CodeLists.Countries, CodeLists.ExploitationTypes, CodeLists.RecruitmentChannels,
        CodeLists.MeansOfControl, CodeLists.Platforms, CodeLists.RelationsToVictim, CodeLists.SuspectRoles, CodeLists.LabourSectors,
        CodeLists.PaymentChannels, CodeLists.EvidenceKinds, CodeLists.IdentifierTypes,
    ];

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").WithTags("Dashboard").RequireAuthorization();
        group.MapGet("/me", GetMe).WithName("Me").WithSummary("The signed-in principal: role, jurisdiction, authority and key id.");
        group.MapGet("/codelists/{name}", GetCodeList).WithName("CodeList").WithSummary("Codes and English labels of one code list used in forms.");
        return app;
    }

    public static Results<Ok<Me>, ForbidHttpResult> GetMe(ClaimsPrincipal user)
    {
        var role = user.RoleOf();
        return role is null ? TypedResults.Forbid() : TypedResults.Ok(new Me(role, user.JurisdictionOf(), user.AuthorityOf(), user.PrincipalId()));
    }

    public static Results<Ok<List<CodeListEntry>>, ProblemHttpResult> GetCodeList(string name) =>
        _formLists.Contains(name)
            ? TypedResults.Ok(CodeLists.Codes(name).Select(c => new CodeListEntry(c, CodeLists.Label(name, c) ?? c)).ToList())
            : TypedResults.Problem($"Known lists: {string.Join(", ", _formLists.Order())}.", statusCode: 404, title: "Unknown code list");

    /// <summary>Serves the dashboard (wwwroot, copied beside the binary) at <c>/</c>; it calls the public API like any client.</summary>
    public static IApplicationBuilder UseDashboard(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        return app;
    }
}
