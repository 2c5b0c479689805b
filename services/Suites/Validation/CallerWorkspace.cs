using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.Suites.Validation;

/// <summary>
/// The body's <c>workspace_id</c>: kept so that clients written before API keys still work, but the workspace is the
/// caller's. Naming another one is refused rather than ignored, so that a script that meant another workspace finds out.
/// </summary>
public static class CallerWorkspace
{
    public static ValidationErrors SameWorkspace(this ValidationErrors errors, string? workspaceId, Caller caller)
    {
        if (!string.IsNullOrWhiteSpace(workspaceId) && !string.Equals(workspaceId.Trim(), caller.WorkspaceId, StringComparison.Ordinal))
        {
            errors.Add("workspace_id", $"must be the key's workspace ('{caller.WorkspaceId}'), or be left out.");
        }

        return errors;
    }
}
