import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { getJson, withQuery } from '../api/client';
import { leaderboardPath, loadAlerts } from '../api/loaders';
import type { Leaderboard, RunList } from '../api/types';
import { usePoll } from '../api/usePoll';
import { AlertsTable } from '../components/AlertsTable';
import { NoScoresYet } from '../components/Empties';
import { LeaderboardTable } from '../components/LeaderboardTable';
import { PerformanceRadar } from '../components/RadarChart';
import { Empty, ErrorBox, Loading } from '../components/States';
import { entryKey } from '../shaping/leaderboard';
import { formatDateTime } from '../shaping/format';

const CATEGORIES = ['overall', 'speed', 'accuracy', 'efficiency', 'reliability', 'cost', 'scalability', 'comprehensive'];
const METRICS = ['all', 'overall', 'accuracy', 'speed', 'efficiency', 'cost', 'reliability'];
const RADAR_LIMIT = 5;

function Picker({ label, value, options, onChange }: { label: string; value: string; options: string[]; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <span className="picker">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => <option key={option} value={option}>{option}</option>)}
      </select>
    </span>
  );
}

function LeaderboardSection() {
  const [category, setCategory] = useState('overall');
  const [metric, setMetric] = useState('all');
  const [groupBy, setGroupBy] = useState('agent');
  const board = usePoll([category, metric, groupBy], (signal) => getJson<Leaderboard>(leaderboardPath(category, metric, groupBy), signal));
  const entries = useMemo(() => board.data?.entries ?? [], [board.data]);

  // The radar starts with the first rows (up to five) and keeps the user's choice afterwards.
  const [selected, setSelected] = useState<Set<string> | null>(null);
  useEffect(() => { setSelected(null); }, [groupBy]);
  const effective = useMemo(() => selected ?? new Set(entries.slice(0, RADAR_LIMIT).map(entryKey)), [selected, entries]);
  const toggle = useCallback((key: string) => {
    const next = new Set(effective);
    if (next.has(key)) next.delete(key);
    else if (next.size < RADAR_LIMIT) next.add(key);
    setSelected(next);
  }, [effective]);
  const radarEntries = useMemo(() => entries.filter((entry) => effective.has(entryKey(entry))), [entries, effective]);

  return (
    <>
      <section aria-labelledby="leaderboard-heading" className="card wide">
        <h2 id="leaderboard-heading">Leaderboard</h2>
        <div className="pickers">
          <Picker label="Category" value={category} options={CATEGORIES} onChange={setCategory} />
          <Picker label="Metric" value={metric} options={METRICS} onChange={setMetric} />
          <Picker label="Rows" value={groupBy} options={['agent', 'version']} onChange={setGroupBy} />
        </div>
        <p className="muted">
          Executions of the last {board.data?.window_days ?? 30} days averaged per {groupBy}; top 3 highlighted; “tied” marks rows
          whose 95 % accuracy rank interval overlaps the leader's. Tick rows to compare them on the radar.
        </p>
        {board.error && <ErrorBox error={board.error} />}
        {board.loading && !board.data && <Loading what="the leaderboard" />}
        {board.data && entries.length === 0 && <NoScoresYet testId="leaderboard-empty" />}
        {entries.length > 0 && (
          <LeaderboardTable entries={entries} metric={metric} selected={effective} onToggle={toggle} selectionLimit={RADAR_LIMIT} />
        )}
      </section>
      <section aria-labelledby="radar-heading" className="card">
        <h2 id="radar-heading">Performance radar</h2>
        <PerformanceRadar entries={radarEntries} />
      </section>
    </>
  );
}

function LatestAlerts() {
  const alerts = usePoll([], (signal) => loadAlerts(signal, 20));
  const latest = alerts.data?.alerts.slice(0, 5) ?? [];
  return (
    <section aria-labelledby="latest-alerts-heading" className="card wide">
      <h2 id="latest-alerts-heading">Latest regression alerts</h2>
      {alerts.error && <ErrorBox error={alerts.error} />}
      {alerts.loading && !alerts.data && <Loading what="the alerts" />}
      {alerts.data && latest.length === 0 && <Empty><p>No regressions detected. Run a new version of an agent to compare it with the previous one.</p></Empty>}
      {latest.length > 0 && <AlertsTable alerts={latest} />}
      <p><Link to="/alerts">All alerts, with filters</Link></p>
    </section>
  );
}

function RunsInProgress() {
  const runs = usePoll([], (signal) => getJson<RunList>(withQuery('/benchmarks/runs', { status: 'running', limit: 20 }), signal));
  const list = runs.data?.runs ?? [];
  return (
    <section aria-labelledby="runs-heading" className="card">
      <h2 id="runs-heading">Runs in progress</h2>
      {runs.error && <ErrorBox error={runs.error} />}
      {runs.loading && !runs.data && <Loading what="the runs" />}
      <ul className="runs" data-testid="runs-in-progress">
        {list.map((run) => {
          const done = run.progress.completed_benchmarks;
          const total = run.progress.total_benchmarks;
          return (
            <li key={run.run_id} data-testid="run-progress" data-run-id={run.run_id}>
              <Link to={`/timeline/${run.agent_id}`}>{run.agent_name ?? run.agent_id} {run.agent_version}</Link>
              <span className="muted"> started {formatDateTime(run.started_at ?? run.created_at)}</span>
              <progress max={total || 1} value={done} aria-label={`${run.agent_name ?? run.agent_id}: ${done} of ${total} benchmarks done`} />
              <span className="num">{done} / {total} benchmarks{run.progress.failed_benchmarks ? `, ${run.progress.failed_benchmarks} failed` : ''}</span>
            </li>
          );
        })}
      </ul>
      {runs.data && list.length === 0 && (
        <p className="muted">No run is in progress. Start one with <code>benchmesh run --agent &lt;id&gt; --suite &lt;id&gt;</code> or <code>POST /benchmarks/run</code>; it shows here while it runs.</p>
      )}
    </section>
  );
}

/** `/`: who leads, how they compare, what regressed lately and what is running now. */
export default function Overview() {
  return (
    <div className="grid">
      <h1 className="visually-hidden">Benchmark overview</h1>
      <LeaderboardSection />
      <RunsInProgress />
      <LatestAlerts />
    </div>
  );
}
