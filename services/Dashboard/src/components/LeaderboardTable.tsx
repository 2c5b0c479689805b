import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { LeaderboardEntry } from '../api/types';
import { DEFAULT_SORT, entryKey, formatRankInterval, nextSort, rankMetric, rankOf, sortEntries, topThree, type SortKey, type SortState } from '../shaping/leaderboard';
import { formatDateTime, formatScore } from '../shaping/format';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'rank', label: 'Rank' },
  { key: 'agent', label: 'Agent' },
  { key: 'overall', label: 'Overall' },
  { key: 'accuracy', label: 'Accuracy' },
  { key: 'speed', label: 'Speed' },
  { key: 'efficiency', label: 'Efficiency' },
  { key: 'cost', label: 'Cost' },
  { key: 'reliability', label: 'Reliability' },
  { key: 'benchmarks', label: 'Benchmarks' },
  { key: 'last', label: 'Last benchmark' },
];

interface Props {
  entries: readonly LeaderboardEntry[];
  /** The board's metric (`all` or one score): its rank is the one shown and highlighted. */
  metric: string;
  selected: ReadonlySet<string>;
  onToggle: (key: string) => void;
  selectionLimit: number;
}

/** §10.1 LeaderboardTable: sorted by overall score, top 3 highlighted, rank intervals and "statistically tied". */
export function LeaderboardTable({ entries, metric, selected, onToggle, selectionLimit }: Props) {
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT);
  const rows = useMemo(() => sortEntries(entries, sort, metric), [entries, sort, metric]);
  const top = useMemo(() => topThree(entries, metric), [entries, metric]);

  return (
    <div className="table-scroll" tabIndex={0}>
      <table data-testid="leaderboard-table" className="leaderboard">
        <caption className="visually-hidden">Leaderboard, sorted by {COLUMNS.find((c) => c.key === sort.key)?.label} ({sort.direction})</caption>
        <thead>
          <tr>
            <th scope="col"><span className="visually-hidden">Radar</span></th>
            {COLUMNS.map((column) => (
              <th key={column.key} scope="col" aria-sort={sort.key === column.key ? sort.direction : 'none'}>
                <button type="button" className="sort" onClick={() => setSort(nextSort(sort, column.key))}>
                  {column.label}
                  <span aria-hidden="true">{sort.key === column.key ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
            <th scope="col" title="95 % interval of the accuracy rank">Acc. rank 95 %</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((entry) => {
            const key = entryKey(entry);
            const rank = rankOf(entry, metric);
            const isTop = top.has(key);
            const name = entry.agent_version ? `${entry.agent_name} ${entry.agent_version}` : entry.agent_name;
            const checked = selected.has(key);
            return (
              <tr key={key} data-testid="leaderboard-row" data-agent-name={entry.agent_name} data-rank={rank ?? ''}
                data-top3={isTop ? 'true' : undefined} className={isTop ? `top top-${rank}` : undefined}>
                <td>
                  <input type="checkbox" aria-label={`Show ${name} on the radar`} checked={checked}
                    disabled={!checked && selected.size >= selectionLimit} onChange={() => onToggle(key)} />
                </td>
                <td className="num">
                  {rank ?? '—'}
                  {isTop && <span className="badge top3" data-testid="top3-marker" title={`Top 3 on ${rankMetric(metric)} (rank ${rank})`}>top 3</span>}
                </td>
                <th scope="row" className="nowrap">
                  <Link to={`/timeline/${entry.agent_id}`}>{name}</Link>
                </th>
                {(['overall', 'accuracy', 'speed', 'efficiency', 'cost', 'reliability'] as const).map((m) => (
                  <td key={m} className="num">{formatScore(entry.scores_and_ranks[m]?.score)}</td>
                ))}
                <td className="num">{entry.benchmarks_completed}</td>
                <td>{formatDateTime(entry.last_benchmark_date)}</td>
                <td className="num">
                  {formatRankInterval(entry)}
                  {entry.tied_with_leader && (
                    <span className="badge" data-testid="tied-marker"
                      title="Statistically tied: this row's 95 % accuracy rank interval overlaps the leader's">tied</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
