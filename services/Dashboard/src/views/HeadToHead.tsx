import { useId, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { getJson, postJson } from '../api/client';
import type { Agent, AgentList, AgentResults, HeadToHead as HeadToHeadResult, SuiteList } from '../api/types';
import { usePoll } from '../api/usePoll';
import { NoAgentsYet } from '../components/Empties';
import { DataTableDetails, ErrorBox, Loading } from '../components/States';
import { Chart, type ChartOption } from '../components/Chart';
import { formatEffect, formatP, formatScore } from '../shaping/format';
import { h2hRows, overallWinner, sideLabel } from '../shaping/headToHead';

function versionsOldestFirst(agent: Agent): string[] {
  return [...agent.versions].sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at)).map((v) => v.version);
}

/**
 * What to compare when the address does not say: the previous and the latest version of the agent in `a` (or of the
 * first agent with two versions), since "did the new version get worse?" is the usual question; else two agents.
 */
export function defaultPair(agents: readonly Agent[], a: string | null): { a: string; b: string } | null {
  const agentOf = (ref: string) => agents.find((agent) => agent.agent_id === ref.split('@')[0]);
  const chosen = a ? agentOf(a) : agents.find((agent) => agent.versions.length >= 2);
  if (chosen && chosen.versions.length >= 2 && (!a || !a.includes('@'))) {
    const versions = versionsOldestFirst(chosen);
    return { a: `${chosen.agent_id}@${versions[versions.length - 2]}`, b: `${chosen.agent_id}@${versions[versions.length - 1]}` };
  }
  const other = agents.find((agent) => agent.agent_id !== (a ?? '').split('@')[0]);
  if (a && other) return { a, b: other.agent_id };
  if (!a && agents.length >= 2) return { a: agents[0]!.agent_id, b: agents[1]!.agent_id };
  return null;
}

function AgentPicker({ label, value, agents, onChange }: { label: string; value: string; agents: readonly Agent[]; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <span className="picker">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {agents.map((agent) => (
          <optgroup key={agent.agent_id} label={agent.name}>
            <option value={agent.agent_id}>{agent.name} (latest version run)</option>
            {versionsOldestFirst(agent).map((version) => (
              <option key={version} value={`${agent.agent_id}@${version}`}>{agent.name} {version}</option>
            ))}
          </optgroup>
        ))}
      </select>
    </span>
  );
}

/** `/head-to-head?a=&b=&suite=`: §10.1 HeadToHeadComparison of two agents or two versions on one suite (POST /benchmarks/compare). */
export default function HeadToHead() {
  const [params, setParams] = useSearchParams();
  const suiteId = useId();
  const agents = usePoll([], (signal) => getJson<AgentList>('/agents', signal));
  const suites = usePoll([], (signal) => getJson<SuiteList>('/suites', signal));
  const list = agents.data?.agents ?? [];

  const fallback = useMemo(() => (params.get('a') && params.get('b') ? null : defaultPair(list, params.get('a'))), [list, params]);
  const a = params.get('a') ?? fallback?.a ?? null;
  const b = params.get('b') ?? fallback?.b ?? null;

  // The suite: the address's, else the one agent A was last scored on (GET …/results, latest per benchmark).
  const latestOfA = usePoll(a && !params.get('suite') ? [a] : null, (signal) =>
    getJson<AgentResults>(`/benchmarks/agents/${encodeURIComponent(a!.split('@')[0]!)}/results`, signal), { poll: false });
  const newest = latestOfA.data?.results.slice().sort((x, y) => Date.parse(y.created_at) - Date.parse(x.created_at))[0];
  // Until A's results are in, no guess: comparing on another suite first would flash a 404 for nothing.
  const guessed = latestOfA.data || latestOfA.error ? newest?.suite_id ?? suites.data?.suites[0]?.suite_id ?? null : null;
  const suite = params.get('suite') ?? guessed;

  // A comparison is a POST with no ETag: asked once per choice, not polled.
  const comparison = usePoll(a && b && suite ? [a, b, suite] : null, (signal) =>
    postJson<HeadToHeadResult>('/benchmarks/compare', { agent_ids: [a, b], suite_id: suite, comparison_type: 'head_to_head' }, signal), { poll: false });
  const result = comparison.data;
  const rows = useMemo(() => (result ? h2hRows(result) : []), [result]);

  const choose = (name: 'a' | 'b' | 'suite', value: string) => {
    const next = new URLSearchParams(params);
    if (a) next.set('a', a);
    if (b) next.set('b', b);
    if (suite) next.set('suite', suite);
    next.set(name, value);
    setParams(next);
  };

  const option = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 40, right: 16, top: 16, bottom: 56 },
    xAxis: { type: 'category', data: rows.map((row) => row.metric) },
    yAxis: { type: 'value', min: 0, max: 1 },
    series: result ? [
      { name: `A: ${sideLabel(result.agent_a)}`, type: 'bar', data: rows.map((row) => row.a) },
      { name: `B: ${sideLabel(result.agent_b)}`, type: 'bar', data: rows.map((row) => row.b) },
    ] : [],
  }), [rows, result]);

  return (
    <div className="stack">
      <h1>Head to head</h1>
      {agents.error && <ErrorBox error={agents.error} />}
      {agents.loading && !agents.data && <Loading what="the agents" />}
      {agents.data && list.length === 0 && <NoAgentsYet />}
      {list.length > 0 && (
        <div className="pickers">
          <AgentPicker label="A" value={a ?? ''} agents={list} onChange={(value) => choose('a', value)} />
          <AgentPicker label="B" value={b ?? ''} agents={list} onChange={(value) => choose('b', value)} />
          <span className="picker">
            <label htmlFor={suiteId}>Suite</label>
            <select id={suiteId} value={suite ?? ''} onChange={(event) => choose('suite', event.target.value)}>
              {(suites.data?.suites ?? []).map((s) => <option key={s.suite_id} value={s.suite_id}>{s.suite_name}</option>)}
            </select>
          </span>
        </div>
      )}
      {list.length === 1 && list[0]!.versions.length < 2 && (
        <p className="muted">One agent with one version: register a second agent, or a new version with <code>POST /agents/{'{agent_id}'}/versions</code>, and run the suite for it.</p>
      )}
      {comparison.error && <ErrorBox error={comparison.error} />}
      {comparison.loading && !result && a && b && <Loading what="the comparison" />}
      {result && (
        <section className="card wide" data-testid="head-to-head" aria-labelledby="h2h-heading">
          <h2 id="h2h-heading">A: {sideLabel(result.agent_a)} vs B: {sideLabel(result.agent_b)}</h2>
          <p>Overall winner: <strong data-testid="h2h-overall-winner">{overallWinner(result)}</strong>.
            <span className="muted"> {result.agent_a.executions} vs {result.agent_b.executions} executions; a metric has a winner only when the difference is significant (Benjamini-Hochberg q ≤ 0.05 and at least 1 point).</span></p>
          <Chart option={option} label="Bar chart of both sides' mean scores per metric" height={260} />
          <div className="table-scroll" tabIndex={0}>
            <table>
              <thead>
                <tr><th scope="col">Metric</th><th scope="col">A</th><th scope="col">B</th><th scope="col">A − B</th><th scope="col">%</th>
                  <th scope="col" title="95 % interval, or less where too few executions allow it (the row's note says)">Effect [interval]</th><th scope="col">p</th><th scope="col">q</th><th scope="col">Winner</th></tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.metric} data-testid="h2h-metric" data-metric={row.metric} data-winner={row.winner} title={row.note ?? undefined}>
                    <th scope="row">{row.metric}</th>
                    <td className="num">{formatScore(row.a)}</td>
                    <td className="num">{formatScore(row.b)}</td>
                    <td className="num">{formatScore(row.difference)}</td>
                    <td className="num">{row.percentageDifference === null ? '—' : `${row.percentageDifference.toFixed(1)} %`}</td>
                    <td className="num">{formatEffect('score', row.effect)}</td>
                    <td className="num">{formatP(row.pValue)}</td>
                    <td className="num">{formatP(row.qValue)}</td>
                    <td>{row.winner === 'tied' ? 'tied (no significant difference)' : row.winner === 'a' ? `A: ${sideLabel(result.agent_a)}` : `B: ${sideLabel(result.agent_b)}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <DataTableDetails summary="What each test says">
            <ul>{rows.map((row) => <li key={row.metric}><strong>{row.metric}</strong>: {row.note ?? '—'} ({row.test ?? '—'}, {row.samples ?? '—'})</li>)}</ul>
          </DataTableDetails>
          <h3>Recommendations</h3>
          <ul data-testid="h2h-recommendations">
            {result.recommendations.map((line) => <li key={line}>{line}</li>)}
          </ul>
          <p>
            Timelines: <Link to={`/timeline/${result.agent_a.agent_id}`}>{result.agent_a.agent_name}</Link>
            {result.agent_b.agent_id !== result.agent_a.agent_id && <>, <Link to={`/timeline/${result.agent_b.agent_id}`}>{result.agent_b.agent_name}</Link></>}
          </p>
        </section>
      )}
    </div>
  );
}
