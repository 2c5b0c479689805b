import { useMemo } from 'react';
import { Link, useParams } from 'react-router-dom';
import { getJson } from '../api/client';
import type { StressRun } from '../api/types';
import { usePoll } from '../api/usePoll';
import { DataTableDetails, ErrorBox, Loading } from '../components/States';
import { Chart, type ChartOption } from '../components/Chart';
import { formatDateTime, formatMs, formatPercent, formatScore } from '../shaping/format';

/** The per-second series of every phase, one after another on one time axis (seconds from the run's start). */
export function stressSeries(run: StressRun) {
  const rows: { second: number; phase: string; p50: number; p99: number; rps: number; errors: number }[] = [];
  let offset = 0;
  for (const phase of run.result?.phases ?? []) {
    for (const point of phase.result.timeline) {
      rows.push({ second: offset + point.second, phase: phase.name, p50: point.p50_ms, p99: point.p99_ms, rps: point.requests, errors: point.errors });
    }
    offset += Math.max(phase.result.timeline.length, Math.ceil(phase.result.duration_seconds));
  }
  return rows;
}

const LIMIT_LABELS: Record<string, string> = {
  max_sustained_rps: 'Highest rate sustained (req/s)',
  peak_rps: 'Peak throughput (req/s)',
  concurrency_at_peak: 'Concurrency at the peak',
  max_input_chars_ok: 'Largest input served (characters)',
  accepted_rps_over_limit: 'Accepted over the limit (req/s)',
};

/** `/stress-tests/:runId`: §10.1 StressTestResults for one run; a running run updates live. */
export default function StressRunView() {
  const { runId = '' } = useParams();
  const run = usePoll([runId], (signal) => getJson<StressRun>(`/stress/runs/${encodeURIComponent(runId)}`, signal));
  const data = run.data;
  const series = useMemo(() => (data ? stressSeries(data) : []), [data]);
  const result = data?.result ?? null;
  const totals = useMemo(() => {
    const phases = result?.phases ?? [];
    const requests = phases.reduce((sum, phase) => sum + phase.result.requests, 0);
    const errors = phases.reduce((sum, phase) => sum + phase.result.error_count, 0);
    const seconds = phases.reduce((sum, phase) => sum + phase.result.duration_seconds, 0);
    const p99 = Math.max(0, ...phases.map((phase) => phase.result.latency_ms.p99));
    return { requests, errorRate: requests ? errors / requests : null, throughput: seconds ? requests / seconds : null, p99: phases.length ? p99 : null };
  }, [result]);

  const option = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 56, right: 56, top: 24, bottom: 56 },
    xAxis: { type: 'value', name: 's', min: 0 },
    yAxis: [{ type: 'value', name: 'latency ms' }, { type: 'value', name: 'req/s', splitLine: { show: false } }],
    series: [
      { name: 'p50 latency', type: 'line', showSymbol: false, data: series.map((row) => [row.second, row.p50]) },
      { name: 'p99 latency', type: 'line', showSymbol: false, data: series.map((row) => [row.second, row.p99]) },
      { name: 'throughput', type: 'line', showSymbol: false, yAxisIndex: 1, lineStyle: { type: 'dotted' }, data: series.map((row) => [row.second, row.rps]) },
      { name: 'errors', type: 'bar', yAxisIndex: 1, data: series.map((row) => [row.second, row.errors]) },
    ],
  }), [series]);

  const limits = Object.entries(result?.scaling_limits ?? {});
  const breaking = result?.scaling_limits.max_sustained_rps ?? result?.scaling_limits.peak_rps ?? null;

  return (
    <div className="stack">
      <p><Link to="/stress-tests">All stress runs</Link></p>
      {run.error && <ErrorBox error={run.error} />}
      {run.loading && !data && <Loading what="the stress run" />}
      {data && (
        <>
          <h1>{data.scenario} on {data.agent_name} {data.agent_version}</h1>
          <p className="muted">
            Status <strong>{data.status}</strong> · started {formatDateTime(data.started_at ?? data.created_at)}
            {data.completed_at && <> · completed {formatDateTime(data.completed_at)}</>}
            {' · '}parameters {Object.entries(data.parameters).map(([name, value]) => `${name} ${value}`).join(', ')}
          </p>
          {data.error && <p className="error" role="alert">The run failed: {data.error}</p>}
          {data.status === 'running' && (
            <p>
              <progress max={data.progress.planned_seconds ?? 1} value={Math.min(data.progress.elapsed_seconds, data.progress.planned_seconds ?? data.progress.elapsed_seconds)}
                aria-label="Elapsed time of the planned duration" />
              {' '}{data.progress.elapsed_seconds.toFixed(0)} s of {data.progress.planned_seconds?.toFixed(0) ?? '?'} s
              {data.progress.shares_total ? ` · ${data.progress.shares_done ?? 0} of ${data.progress.shares_total} shares reported` : ''}
            </p>
          )}
          <div className="table-scroll" tabIndex={0}>
            <table data-testid="stress-results">
              <thead>
                <tr><th scope="col">Scenario</th><th scope="col">Resilience</th><th scope="col">Throughput</th><th scope="col">Error rate</th>
                  <th scope="col">Worst p99</th><th scope="col">Breaking point</th><th scope="col">Requests</th></tr>
              </thead>
              <tbody>
                <tr data-testid="stress-scenario" data-scenario={data.scenario} data-status={data.status} data-run-id={data.stress_run_id}>
                  <th scope="row">{data.scenario}</th>
                  <td className="num" data-testid="resilience-score">{result ? formatScore(result.resilience_score, 2) : '—'}</td>
                  <td className="num">{totals.throughput === null ? '—' : `${totals.throughput.toFixed(1)} req/s`}</td>
                  <td className="num">{formatPercent(totals.errorRate, 2)}</td>
                  <td className="num">{formatMs(totals.p99)}</td>
                  <td className="num">{breaking === null ? (result ? 'not reached' : '—') : `${breaking.toFixed(0)} req/s`}</td>
                  <td className="num">{(result ? totals.requests : data.progress.requests_completed).toLocaleString('en')}</td>
                </tr>
              </tbody>
            </table>
          </div>
          {result && (
            <>
              <section className="card wide" aria-labelledby="latency-heading">
                <h2 id="latency-heading">Latency percentiles, throughput and errors over time</h2>
                <div data-testid="stress-latency-chart">
                  <Chart option={option} height={340} label="Per-second p50 and p99 latency, throughput and errors over the run" />
                  <DataTableDetails summary="Per-second figures as a table">
                    <table>
                      <thead><tr><th scope="col">Second</th><th scope="col">Phase</th><th scope="col">p50</th><th scope="col">p99</th><th scope="col">Requests</th><th scope="col">Errors</th></tr></thead>
                      <tbody>{series.map((row) => (
                        <tr key={row.second}><td className="num">{row.second}</td><td>{row.phase}</td><td className="num">{formatMs(row.p50)}</td>
                          <td className="num">{formatMs(row.p99)}</td><td className="num">{row.rps}</td><td className="num">{row.errors}</td></tr>
                      ))}</tbody>
                    </table>
                  </DataTableDetails>
                </div>
              </section>
              <section className="card wide" aria-labelledby="phases-heading">
                <h2 id="phases-heading">Phases</h2>
                <div className="table-scroll" tabIndex={0}>
                  <table>
                    <thead><tr><th scope="col">Phase</th><th scope="col">Target</th><th scope="col">Achieved</th><th scope="col">Error rate</th>
                      <th scope="col">p50</th><th scope="col">p90</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">p99.9</th><th scope="col">max</th></tr></thead>
                    <tbody>{result.phases.map((phase) => (
                      <tr key={phase.name} data-testid="stress-phase" data-phase={phase.name}>
                        <th scope="row">{phase.name}</th>
                        <td className="num">{phase.result.target_rps === null ? '—' : `${phase.result.target_rps} req/s`}</td>
                        <td className="num">{phase.result.achieved_rps.toFixed(1)} req/s</td>
                        <td className="num">{formatPercent(phase.result.error_rate, 2)}</td>
                        {(['p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const).map((p) => <td key={p} className="num">{formatMs(phase.result.latency_ms[p])}</td>)}
                      </tr>
                    ))}</tbody>
                  </table>
                </div>
                <h3>Resilience {formatScore(result.resilience_score, 2)}</h3>
                <p className="muted">Parts: success {formatScore(result.components.success, 2)}, throughput {formatScore(result.components.throughput, 2)},
                  latency {formatScore(result.components.latency, 2)}, recovery {formatScore(result.components.recovery, 2)}.</p>
                {limits.length > 0 && (
                  <dl className="limits">{limits.map(([name, value]) => (
                    <div key={name}><dt>{LIMIT_LABELS[name] ?? name}</dt><dd>{value.toLocaleString('en')}</dd></div>
                  ))}</dl>
                )}
                {result.recommendations.length > 0 && (
                  <>
                    <h3>Recommendations</h3>
                    <ul>{result.recommendations.map((line) => <li key={line}>{line}</li>)}</ul>
                  </>
                )}
              </section>
            </>
          )}
        </>
      )}
    </div>
  );
}
