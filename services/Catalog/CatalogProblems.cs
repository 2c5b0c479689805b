using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchMesh.Catalog;

/// <summary>The public API's answers about the catalog, the same in every service that asks it.</summary>
public static class CatalogProblems
{
    /// <summary>503: Suites could not be asked, which is not the caller's fault and may pass.</summary>
    public static ProblemHttpResult Unavailable(SuiteCatalogUnavailableException e) =>
        TypedResults.Problem(title: "The suite catalog is unavailable.", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>404 for an agent id that Suites has never registered.</summary>
    public static ProblemHttpResult AgentNotFound(Guid agentId) =>
        TypedResults.Problem(title: "Agent not found.", detail: $"No agent {agentId} is registered.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// Null when the agent is registered; otherwise the problem to answer with (404 unknown, 503 catalog unavailable).
    /// For read endpoints that hold no data of the agent and must tell "nothing yet" from "no such agent".
    /// </summary>
    public static async Task<ProblemHttpResult?> UnregisteredAgentProblemAsync(this ISuiteCatalog catalog, Guid agentId, CancellationToken ct)
    {
        try
        {
            return await catalog.GetAgentAsync(agentId, ct) is null ? AgentNotFound(agentId) : null;
        }
        catch (SuiteCatalogUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    /// <summary>
    /// Null when <paramref name="caller"/> may read the agent's data; otherwise 404 for an id Suites never issued or an
    /// agent of another workspace (the same body, so ids reveal nothing), or 503 when Suites had to be asked and could not
    /// be. An agent's workspace is fixed at registration and copied onto the rows a service keeps of it, so one such row
    /// (<paramref name="stored"/>: whether the service has one, and its workspace) tells it; only an agent without any
    /// asks Suites, so that a Suites outage does not break reads of existing data.
    /// </summary>
    public static async Task<ProblemHttpResult?> HiddenAgentProblemAsync(
        this ISuiteCatalog catalog, Caller caller, Guid agentId, (bool Found, string? WorkspaceId) stored, CancellationToken ct)
    {
        if (stored.Found)
        {
            return caller.CanSee(WorkspaceOwner.Of(stored.WorkspaceId)) ? null : AgentNotFound(agentId);
        }

        try
        {
            return await catalog.GetAgentAsync(agentId, ct) is { } agent && caller.CanSee(WorkspaceOwner.Of(agent.WorkspaceId))
                ? null
                : AgentNotFound(agentId);
        }
        catch (SuiteCatalogUnavailableException e)
        {
            return Unavailable(e);
        }
    }
}
