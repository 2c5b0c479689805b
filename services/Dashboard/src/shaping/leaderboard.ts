import type { LeaderboardEntry, LeaderboardMetric } from '../api/types';

export type SortKey = 'rank' | 'agent' | LeaderboardMetric | 'benchmarks' | 'last';
export type SortDirection = 'ascending' | 'descending';

export interface SortState {
  key: SortKey;
  direction: SortDirection;
}

/** §10.1: the leaderboard is sorted by the overall score, best first, until someone clicks a header. */
export const DEFAULT_SORT: SortState = { key: 'overall', direction: 'descending' };

/** A row's identity: an agent, or an agent version with `group_by=version`. */
export function entryKey(entry: LeaderboardEntry): string {
  return entry.agent_version ? `${entry.agent_id}@${entry.agent_version}` : entry.agent_id;
}

/** The metric whose rank a row shows: the picked one, or `overall` when the board asks for every metric. */
export function rankMetric(metric: string): LeaderboardMetric {
  return metric === 'all' || metric === '' ? 'overall' : (metric as LeaderboardMetric);
}

export function rankOf(entry: LeaderboardEntry, metric: string): number | null {
  return entry.scores_and_ranks[rankMetric(metric)]?.rank ?? null;
}

function valueFor(entry: LeaderboardEntry, key: SortKey, metric: string): number | string | null {
  switch (key) {
    case 'rank':
      return rankOf(entry, metric);
    case 'agent':
      return `${entry.agent_name} ${entry.agent_version ?? ''}`.toLowerCase();
    case 'benchmarks':
      return entry.benchmarks_completed;
    case 'last':
      return entry.last_benchmark_date;
    default:
      return entry.scores_and_ranks[key]?.score ?? null;
  }
}

/** Sorted copy; rows without a value go last in either direction, ties keep the API's order (rank). */
export function sortEntries(entries: readonly LeaderboardEntry[], sort: SortState, metric: string): LeaderboardEntry[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return entries
    .map((entry, index) => ({ entry, index, value: valueFor(entry, sort.key, metric) }))
    .sort((x, y) => {
      if (x.value === null && y.value === null) return x.index - y.index;
      if (x.value === null) return 1;
      if (y.value === null) return -1;
      const order = x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
      return order === 0 ? x.index - y.index : order * sign;
    })
    .map((row) => row.entry);
}

/** Clicking the sorted column reverses it; another column starts with its natural direction. */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  const ascendingFirst = key === 'rank' || key === 'agent';
  return { key, direction: ascendingFirst ? 'ascending' : 'descending' };
}

/** The rows ranked 1 to 3 on the shown metric (RANK(): ties share a rank, so there may be more than three). */
export function topThree(entries: readonly LeaderboardEntry[], metric: string): Set<string> {
  const top = new Set<string>();
  for (const entry of entries) {
    const rank = rankOf(entry, metric);
    if (rank !== null && rank <= 3) top.add(entryKey(entry));
  }
  return top;
}

/** "1–2" for a rank interval, "1" when it is a single rank. */
export function formatRankInterval(entry: LeaderboardEntry): string {
  const interval = entry.rank_interval;
  if (!interval) return '—';
  return interval.low === interval.high ? `${interval.low}` : `${interval.low}–${interval.high}`;
}
