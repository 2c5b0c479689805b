import type { Agent, Effect, RegressionReport, WorkspaceRegression } from '../api/types';

export interface Alert {
  id: string;
  agentId: string;
  agentName: string;
  version: string | null;
  baselineVersion: string | null;
  benchmarkName: string;
  metric: string;
  severity: string;
  health: string | null;
  action: string | null;
  effect: Effect | null;
  qValue: number | null;
  impact: string | null;
  detectedAt: string | null;
}

export const SEVERITIES = ['critical', 'major', 'minor'] as const;
export const HEALTHS = ['critical', 'degraded', 'healthy'] as const;
export const ACTIONS = ['block_release', 'investigate', 'none'] as const;

const severityOrder = (severity: string) => {
  const index = (SEVERITIES as readonly string[]).indexOf(severity);
  return index < 0 ? SEVERITIES.length : index;
};

/** Newest first; equal times (or none) by severity, then agent and benchmark, so the order is stable. */
export function sortAlerts(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => {
    const time = (b.detectedAt ? Date.parse(b.detectedAt) : 0) - (a.detectedAt ? Date.parse(a.detectedAt) : 0);
    return time || severityOrder(a.severity) - severityOrder(b.severity) || a.agentName.localeCompare(b.agentName)
      || a.benchmarkName.localeCompare(b.benchmarkName) || a.metric.localeCompare(b.metric);
  });
}

/** From the workspace-wide GET /benchmarks/regressions (already newest first). */
export function fromWorkspaceList(rows: readonly WorkspaceRegression[]): Alert[] {
  return rows.map((row, index) => ({
    id: `${row.agent_id}:${row.agent_version ?? row.current_version ?? ''}:${row.benchmark_id ?? ''}:${row.metric ?? ''}:${index}`,
    agentId: row.agent_id,
    agentName: row.agent_name ?? row.agent_id,
    version: row.agent_version ?? row.current_version ?? row.blamed_version ?? null,
    baselineVersion: row.baseline_version ?? null,
    benchmarkName: row.benchmark_name ?? row.benchmark_id ?? '—',
    metric: row.metric ?? '—',
    severity: row.severity ?? 'minor',
    health: row.overall_health ?? null,
    action: row.recommended_action ?? null,
    effect: row.effect ?? null,
    qValue: row.q_value ?? null,
    impact: row.impact_analysis ?? null,
    detectedAt: row.detected_at ?? row.created_at ?? null,
  }));
}

/**
 * The fallback before GET /benchmarks/regressions exists: each agent's latest judgement (GET …/regressions), its
 * regressions as alerts with the report's health and action. Those carry no detection time, so they are ordered by
 * the time the judged version was registered.
 */
export function fromAgentReports(agents: readonly Agent[], reports: readonly (RegressionReport | null)[]): Alert[] {
  const alerts: Alert[] = [];
  agents.forEach((agent, index) => {
    const report = reports[index];
    if (!report) return;
    const version = agent.versions.find((item) => item.version === report.current_version);
    for (const regression of report.regressions) {
      alerts.push({
        id: `${agent.agent_id}:${report.current_version ?? ''}:${regression.benchmark_id}:${regression.metric}`,
        agentId: agent.agent_id,
        agentName: agent.name,
        version: report.current_version,
        baselineVersion: report.baseline_version,
        benchmarkName: regression.benchmark_name ?? regression.benchmark_id,
        metric: regression.metric,
        severity: regression.severity,
        health: report.overall_health,
        action: report.recommended_action,
        effect: regression.effect ?? null,
        qValue: regression.q_value ?? null,
        impact: regression.impact_analysis,
        detectedAt: version?.created_at ?? null,
      });
    }
  });
  return sortAlerts(alerts);
}

export interface AlertFilter {
  severity: string;
  health: string;
  action: string;
}

export function filterAlerts(alerts: readonly Alert[], filter: AlertFilter): Alert[] {
  return alerts.filter((alert) =>
    (!filter.severity || alert.severity === filter.severity)
    && (!filter.health || alert.health === filter.health)
    && (!filter.action || alert.action === filter.action));
}
