import type { Effect, Execution, RegressionReport, Verdict } from '../api/types';

export type TimelineMetric = 'overall' | 'accuracy' | 'speed' | 'efficiency' | 'cost' | 'reliability';

export interface VersionSeries {
  version: string;
  /** [time in ms, score, execution id, benchmark name], oldest first. */
  points: [number, number, string, string][];
}

function scoreOf(execution: Execution, metric: TimelineMetric): number | null {
  return execution[`${metric}_score`] ?? null;
}

/** One series per version (in the order versions were first run), each execution a point at its time. */
export function versionSeries(executions: readonly Execution[], metric: TimelineMetric): VersionSeries[] {
  const byVersion = new Map<string, VersionSeries>();
  const sorted = [...executions].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  for (const execution of sorted) {
    const score = scoreOf(execution, metric);
    if (score === null) continue;
    let series = byVersion.get(execution.agent_version);
    if (!series) {
      series = { version: execution.agent_version, points: [] };
      byVersion.set(execution.agent_version, series);
    }
    series.points.push([Date.parse(execution.created_at), score, execution.execution_id, execution.benchmark_name ?? execution.benchmark_id]);
  }
  return [...byVersion.values()];
}

export interface TimelineEvent {
  kind: 'regression' | 'improvement';
  benchmarkId: string;
  benchmarkName: string;
  metric: string;
  version: string;
  baselineVersion: string | null;
  effect: Effect | null;
  pValue: number | null;
  qValue: number | null;
  severity: string | null;
  reason: string | null;
  /** Where the event sits on the time axis: the first execution of the judged version on that benchmark (ms). */
  at: number | null;
  /** The judged version's mean score (the plotted metric) on that benchmark, for the marker's height. */
  score: number | null;
}

/**
 * The regressions and improvements of the agent's latest judgement (GET …/regressions: its verdicts), placed at the
 * judged version's first execution of each benchmark. Regressions first, then improvements, each by benchmark.
 */
export function timelineEvents(report: RegressionReport | undefined, executions: readonly Execution[], metric: TimelineMetric): TimelineEvent[] {
  if (!report?.current_version) return [];
  const current = report.current_version;
  const ofVersion = executions.filter((execution) => execution.agent_version === current);
  const events: TimelineEvent[] = [];
  for (const verdict of report.verdicts ?? []) {
    if (verdict.verdict !== 'regressed' && verdict.verdict !== 'improved') continue;
    const onBenchmark = ofVersion.filter((execution) => execution.benchmark_id === verdict.benchmark_id);
    const times = onBenchmark.map((execution) => Date.parse(execution.created_at));
    const scores = onBenchmark.map((execution) => scoreOf(execution, metric)).filter((score): score is number => score !== null);
    const regression = report.regressions.find((item) => item.benchmark_id === verdict.benchmark_id && item.metric === verdict.metric);
    events.push({
      kind: verdict.verdict === 'regressed' ? 'regression' : 'improvement',
      benchmarkId: verdict.benchmark_id,
      benchmarkName: verdict.benchmark_name ?? verdict.benchmark_id,
      metric: verdict.metric,
      version: current,
      baselineVersion: report.baseline_version,
      effect: verdict.effect,
      pValue: verdict.p_value,
      qValue: verdict.q_value,
      severity: regression?.severity ?? null,
      reason: verdict.reason,
      at: times.length ? Math.min(...times) : null,
      score: scores.length ? scores.reduce((sum, score) => sum + score, 0) / scores.length : null,
    });
  }
  return events.sort((a, b) => (a.kind === b.kind ? a.benchmarkName.localeCompare(b.benchmarkName) || a.metric.localeCompare(b.metric) : a.kind === 'regression' ? -1 : 1));
}

/** Every verdict on one benchmark (all its metrics): what a click on an event opens. */
export function verdictsFor(report: RegressionReport | undefined, benchmarkId: string): Verdict[] {
  return (report?.verdicts ?? []).filter((verdict) => verdict.benchmark_id === benchmarkId);
}
