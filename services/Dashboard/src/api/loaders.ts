import { ApiError, getJson, withQuery } from './client';
import type { AgentList, RegressionReport, WorkspaceRegressionList } from './types';
import { fromAgentReports, fromWorkspaceList, type Alert } from '../shaping/alerts';

/** The leaderboard's route with the overview's pickers: rows per agent or per version, up to 100. */
export function leaderboardPath(category: string, metric: string, groupBy: string): string {
  return withQuery('/benchmarks/leaderboard', { category, metric, group_by: groupBy, limit: 100 });
}

export interface AlertSource {
  alerts: Alert[];
  /** Which API answered: the workspace-wide list, or each agent's latest judgement (before the list existed). */
  source: 'workspace' | 'per_agent';
}

/** The newest regressions: GET /benchmarks/regressions, or per agent while a gateway does not have that route yet. */
export async function loadAlerts(signal: AbortSignal, limit = 100): Promise<AlertSource> {
  try {
    const list = await getJson<WorkspaceRegressionList>(withQuery('/benchmarks/regressions', { limit }), signal);
    // Read leniently: an answer without a `regressions` array is not the list this dashboard knows; use the fallback.
    if (Array.isArray(list?.regressions)) return { alerts: fromWorkspaceList(list.regressions), source: 'workspace' };
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 405)) throw error;
  }
  const { agents } = await getJson<AgentList>('/agents', signal);
  const reports = await Promise.all(agents.map(async (agent) => {
    try {
      return await getJson<RegressionReport>(`/benchmarks/agents/${agent.agent_id}/regressions`, signal);
    } catch (error) {
      // An agent removed meanwhile, or one Regression has not heard of yet: no alerts for it.
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }));
  return { alerts: fromAgentReports(agents, reports), source: 'per_agent' };
}
