import { describe, expect, it } from 'vitest';
import { costFrontier, headToHead, leaderboard, regressions, results, agents, noRegressions, CHAT, ARITHMETIC, TEXT } from '../test/fixtures';
import type { FrontierPoint } from '../api/types';
import { DEFAULT_SORT, entryKey, formatRankInterval, nextSort, sortEntries, topThree } from './leaderboard';
import { frontierLine, markFrontier, paretoFrontier } from './pareto';
import { timelineEvents, verdictsFor, versionSeries } from './timeline';
import { h2hRows, overallWinner } from './headToHead';
import { filterAlerts, fromAgentReports, fromWorkspaceList } from './alerts';
import { formatChange, formatEffect } from './format';

describe('leaderboard shaping', () => {
  const shuffled = [leaderboard.entries[2]!, leaderboard.entries[0]!, leaderboard.entries[1]!];

  it('sorts by overall score, best first, by default', () => {
    const sorted = sortEntries(shuffled, DEFAULT_SORT, 'all');
    expect(sorted.map(entryKey)).toEqual([`${CHAT}@1.0`, leaderboard.entries[1]!.agent_id + '@1.0', `${CHAT}@1.1`]);
  });

  it('reverses on a second click and starts names ascending', () => {
    const byOverallAscending = nextSort(DEFAULT_SORT, 'overall');
    expect(byOverallAscending).toEqual({ key: 'overall', direction: 'ascending' });
    expect(sortEntries(shuffled, byOverallAscending, 'all')[0]!.agent_version).toBe('1.1');
    expect(nextSort(DEFAULT_SORT, 'agent')).toEqual({ key: 'agent', direction: 'ascending' });
    const byName = sortEntries(shuffled, { key: 'agent', direction: 'ascending' }, 'all');
    expect(byName.map((e) => `${e.agent_name} ${e.agent_version}`)).toEqual(['sample-chat-agent 1.0', 'sample-chat-agent 1.1', 'sample-json-agent 1.0']);
  });

  it('puts rows without a score last in both directions', () => {
    const missing = { ...leaderboard.entries[0]!, agent_id: 'x', scores_and_ranks: {} };
    expect(sortEntries([missing, ...shuffled], DEFAULT_SORT, 'all').at(-1)!.agent_id).toBe('x');
    expect(sortEntries([missing, ...shuffled], { key: 'overall', direction: 'ascending' }, 'all').at(-1)!.agent_id).toBe('x');
  });

  it('highlights ranks 1 to 3 of the shown metric, ties included', () => {
    const fourth = { ...leaderboard.entries[2]!, agent_id: 'tied-third', agent_version: null,
      scores_and_ranks: { ...leaderboard.entries[2]!.scores_and_ranks, overall: { score: 0.738, rank: 3 }, speed: { score: 0.1, rank: 4 } } };
    const top = topThree([...leaderboard.entries, fourth], 'all');
    expect(top.size).toBe(4);
    expect(topThree([...leaderboard.entries, fourth], 'speed').has('tied-third')).toBe(false);
  });

  it('writes rank intervals', () => {
    expect(formatRankInterval(leaderboard.entries[0]!)).toBe('1–2');
    expect(formatRankInterval(leaderboard.entries[2]!)).toBe('3');
    expect(formatRankInterval({ ...leaderboard.entries[2]!, rank_interval: null })).toBe('—');
  });
});

describe('Pareto frontier', () => {
  const point = (id: string, cost: number | null, performance: number | null, comparable = true): FrontierPoint => ({
    ...costFrontier.points[0]!, configuration_id: id, cost_per_task_usd: cost, performance, comparable, on_frontier: null,
  });

  it('keeps the points no cheaper point beats', () => {
    const frontier = paretoFrontier([point('a', 1, 0.5), point('b', 2, 0.4), point('c', 3, 0.9), point('d', 0.5, 0.2), point('e', 3, 0.8)]);
    expect([...frontier].sort()).toEqual(['a', 'c', 'd']);
  });

  it('leaves out points that are not comparable or have no figures', () => {
    const frontier = paretoFrontier([point('a', 1, 0.5), point('n', 0.1, 0.99, false), point('z', null, 0.9)]);
    expect([...frontier]).toEqual(['a']);
  });

  it("prefers the API's on_frontier and draws the frontier from the cheapest point", () => {
    const marked = markFrontier(costFrontier.points);
    expect(marked.map((p) => p.frontier)).toEqual([true, true, false]);
    expect(frontierLine(marked)).toEqual([[0.00001, 0.5], [0.00002, 0.66]]);
    const computed = markFrontier(costFrontier.points.map((p) => ({ ...p, on_frontier: null })));
    expect(computed.map((p) => p.frontier)).toEqual([true, true, false]);
  });
});

describe('timeline shaping', () => {
  it('makes one series per version, oldest point first', () => {
    const series = versionSeries(results.results, 'accuracy');
    expect(series.map((s) => s.version)).toEqual(['1.0', '1.1']);
    expect(series[0]!.points.map((p) => p[1])).toEqual([0.975, 0.925]);
    expect(series[1]!.points[0]![3]).toBe('arithmetic');
  });

  it('maps regressed and improved verdicts to events at the judged version', () => {
    const events = timelineEvents(regressions, results.results, 'accuracy');
    expect(events.map((e) => [e.kind, e.benchmarkName, e.metric])).toEqual([
      ['regression', 'arithmetic', 'accuracy'],
      ['regression', 'text-transform', 'latency_ms'],
      ['improvement', 'text-transform', 'error_rate'],
    ]);
    const accuracy = events[0]!;
    expect(accuracy.severity).toBe('critical');
    expect(accuracy.version).toBe('1.1');
    expect(accuracy.baselineVersion).toBe('1.0');
    expect(accuracy.at).toBe(Date.parse('2026-12-06T19:24:30Z'));
    expect(accuracy.score).toBeCloseTo(0.525);
    expect(events[2]!.severity).toBeNull();
  });

  it('has no events without a judged version, and opens every verdict of a benchmark', () => {
    expect(timelineEvents(noRegressions, [], 'overall')).toEqual([]);
    expect(timelineEvents(undefined, results.results, 'overall')).toEqual([]);
    expect(verdictsFor(regressions, ARITHMETIC).map((v) => v.metric)).toEqual(['accuracy', 'tokens_per_task']);
    expect(verdictsFor(regressions, TEXT)).toHaveLength(2);
  });

  it('formats effects in their unit', () => {
    expect(formatEffect('accuracy', { estimate: -0.45, lower: -0.631, upper: -0.269 })).toBe('−45.0 points [−63.1, −26.9]');
    expect(formatEffect('latency_ms', { estimate: 1.755, lower: 1.303, upper: 1.996 })).toBe('+175.5 % [+130.3 %, +199.6 %]');
    expect(formatEffect('latency_ms', null)).toBe('—');
    expect(formatChange('tokens_per_task', 0.05)).toBe('5.0 %');
    expect(formatChange('accuracy', 0.1)).toBe('10.0 points');
  });
});

describe('head-to-head rows', () => {
  it('names a winner only where the API did, as a or b', () => {
    const rows = h2hRows(headToHead);
    expect(rows.map((r) => [r.metric, r.winner])).toEqual([
      ['accuracy', 'a'], ['speed', 'a'], ['efficiency', 'tied'], ['cost', 'tied'], ['reliability', 'tied'],
    ]);
    expect(rows[0]).toMatchObject({ a: 0.95, b: 0.59, difference: 0.361, percentageDifference: 61.1, qValue: 4.6e-9, samples: '24 vs 24 items' });
    expect(rows[4]).toMatchObject({ percentageDifference: null, pValue: null, samples: null });
  });

  it('maps a b winner and says the overall winner', () => {
    const swapped = { ...headToHead, detailed_metrics: [{ ...headToHead.detailed_metrics[0]!, winner: `${CHAT}@1.1` }] };
    expect(h2hRows(swapped)[0]!.winner).toBe('b');
    expect(overallWinner(headToHead)).toBe('sample-chat-agent 1.0 (2 vs 0 significant metric wins)');
    expect(overallWinner({ ...headToHead, overall_winner: null, agent_a_wins: 1, agent_b_wins: 1 })).toBe('No overall winner (1 vs 1 significant metric wins)');
  });
});

describe('alerts', () => {
  it('flattens each agent report with its health and action, and filters', () => {
    const alerts = fromAgentReports(agents.agents, [regressions, noRegressions]);
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({ agentName: 'sample-chat-agent', version: '1.1', severity: 'critical', health: 'critical', action: 'block_release' });
    expect(filterAlerts(alerts, { severity: 'major', health: '', action: '' }).map((a) => a.metric)).toEqual(['latency_ms']);
    expect(filterAlerts(alerts, { severity: '', health: 'degraded', action: '' })).toEqual([]);
    expect(filterAlerts(alerts, { severity: '', health: '', action: 'block_release' })).toHaveLength(2);
  });

  it('reads the workspace-wide list as it comes (newest first)', () => {
    const alerts = fromWorkspaceList([
      { agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.1', benchmark_name: 'arithmetic', metric: 'accuracy', severity: 'critical', detected_at: '2026-12-06T19:25:00Z' },
      { agent_id: CHAT, current_version: '1.0', metric: 'latency_ms', severity: 'minor', created_at: '2026-12-05T00:00:00Z' },
    ]);
    expect(alerts.map((a) => [a.version, a.severity, a.detectedAt])).toEqual([['1.1', 'critical', '2026-12-06T19:25:00Z'], ['1.0', 'minor', '2026-12-05T00:00:00Z']]);
    expect(alerts[1]!.agentName).toBe(CHAT);
  });
});
