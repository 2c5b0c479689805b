import { useId, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { getJson, withQuery } from '../api/client';
import type { Agent, AgentResults, RegressionReport } from '../api/types';
import { usePoll } from '../api/usePoll';
import { DataTableDetails, Empty, ErrorBox, Loading } from '../components/States';
import { Chart, type ChartClick, type ChartOption } from '../components/Chart';
import { formatChange, formatDateTime, formatEffect, formatP, formatScore } from '../shaping/format';
import { timelineEvents, verdictsFor, versionSeries, type TimelineEvent, type TimelineMetric } from '../shaping/timeline';

const METRICS: TimelineMetric[] = ['overall', 'accuracy', 'speed', 'efficiency', 'cost', 'reliability'];

function eventTooltip(event: TimelineEvent): string {
  const kind = event.kind === 'regression' ? `Regression${event.severity ? ` (${event.severity})` : ''}` : 'Improvement';
  return `${kind}: ${event.benchmarkName} · ${event.metric}<br/>${event.version} vs ${event.baselineVersion ?? '—'}: `
    + `${formatEffect(event.metric, event.effect)}, q = ${formatP(event.qValue)}<br/>Click for the verdicts`;
}

/** `/timeline/:agentId`: §10.1 BenchmarkTimelineChart, the agent's scores per version over time, regressions and improvements marked. */
export default function Timeline() {
  const { agentId = '' } = useParams();
  const [metric, setMetric] = useState<TimelineMetric>('overall');
  const [openBenchmark, setOpenBenchmark] = useState<string | null>(null);
  const metricId = useId();

  const agent = usePoll([agentId], (signal) => getJson<Agent>(`/agents/${encodeURIComponent(agentId)}`, signal));
  // One page of the newest 500 executions: enough for every version a person compares by eye.
  const results = usePoll([agentId], (signal) =>
    getJson<AgentResults>(withQuery(`/benchmarks/agents/${encodeURIComponent(agentId)}/results`, { timeframe: 'all', limit: 500 }), signal));
  const report = usePoll([agentId], (signal) => getJson<RegressionReport>(`/benchmarks/agents/${encodeURIComponent(agentId)}/regressions`, signal));

  const executions = useMemo(() => results.data?.results ?? [], [results.data]);
  const series = useMemo(() => versionSeries(executions, metric), [executions, metric]);
  const events = useMemo(() => timelineEvents(report.data, executions, metric), [report.data, executions, metric]);
  const placed = events.filter((event) => event.at !== null && event.score !== null);

  const option = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, type: 'scroll' },
    grid: { left: 48, right: 16, top: 36, bottom: 56 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', min: 0, max: 1, name: `${metric} score` },
    series: [
      ...series.map((s) => ({
        id: `version:${s.version}`,
        name: `version ${s.version}`,
        type: 'line',
        showSymbol: true,
        data: s.points.map(([time, score, , benchmark]) => ({ value: [time, score], benchmark })),
        tooltip: { formatter: (p: { seriesName: string; data: { value: [number, number]; benchmark: string } }) =>
          `${p.seriesName} · ${p.data.benchmark}<br/>${new Date(p.data.value[0]).toISOString().slice(0, 16).replace('T', ' ')}Z: ${p.data.value[1].toFixed(3)}` },
      })),
      ...(['regression', 'improvement'] as const).map((kind) => ({
        id: `events:${kind}`,
        name: kind === 'regression' ? 'Regressions' : 'Improvements',
        type: 'scatter',
        symbol: kind === 'regression' ? 'triangle' : 'diamond',
        symbolRotate: kind === 'regression' ? 180 : 0,
        symbolSize: 16,
        itemStyle: { color: kind === 'regression' ? '#d63b3b' : '#2e9d55' },
        data: placed.filter((event) => event.kind === kind).map((event) => ({ value: [event.at, event.score], benchmarkId: event.benchmarkId, label: eventTooltip(event) })),
        tooltip: { formatter: (p: { data: { label: string } }) => p.data.label },
      })),
    ],
  }), [series, placed, metric]);

  const onChartClick = (click: ChartClick) => {
    const data = click.data as { benchmarkId?: string } | undefined;
    if (data?.benchmarkId) setOpenBenchmark(data.benchmarkId);
  };

  const name = agent.data?.name ?? agentId;
  const opened = openBenchmark ? verdictsFor(report.data, openBenchmark) : [];

  return (
    <div className="stack">
      <h1>Timeline of {name}</h1>
      <p className="muted">
        <Link to={`/head-to-head?a=${encodeURIComponent(agentId)}`}>Compare this agent head to head</Link>
        {report.data && <> · health <strong>{report.data.overall_health}</strong>, action <strong>{report.data.recommended_action}</strong>
          {report.data.current_version && <> ({report.data.current_version} vs {report.data.baseline_version ?? '—'})</>}</>}
      </p>
      {agent.error && <ErrorBox error={agent.error} />}
      {results.error && <ErrorBox error={results.error} />}
      {report.error && <ErrorBox error={report.error} />}

      <section className="card wide" aria-labelledby="scores-heading">
        <h2 id="scores-heading">Scores per version over time</h2>
        <span className="picker">
          <label htmlFor={metricId}>Score</label>
          <select id={metricId} value={metric} onChange={(event) => setMetric(event.target.value as TimelineMetric)}>
            {METRICS.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </span>
        {results.loading && !results.data && <Loading what="the results" />}
        {results.data && executions.length === 0 && (
          <Empty><p>No results for this agent yet: run a suite with <code>benchmesh run --agent {agentId} --suite &lt;id&gt;</code> or <code>POST /benchmarks/run</code>.</p></Empty>
        )}
        <div data-testid="timeline-chart">
          {executions.length > 0 && (
            <Chart option={option} onClick={onChartClick} height={360}
              label={`${metric} score of each execution of ${name} over time, one line per version, regressions and improvements marked`} />
          )}
          <DataTableDetails summary="Scores as a table">
            <table>
              <thead><tr><th scope="col">Version</th><th scope="col">Benchmark</th><th scope="col">When</th><th scope="col">{metric} score</th></tr></thead>
              <tbody>
                {series.flatMap((s) => s.points.map(([time, score, id, benchmark]) => (
                  <tr key={id} data-testid="timeline-point" data-version={s.version}>
                    <td>{s.version}</td><td>{benchmark}</td><td>{formatDateTime(new Date(time).toISOString())}</td><td className="num">{formatScore(score)}</td>
                  </tr>
                )))}
              </tbody>
            </table>
          </DataTableDetails>
          <h3>Regressions and improvements</h3>
          {report.data?.note && <p className="muted">{report.data.note}</p>}
          {report.data && events.length === 0 && !report.data.note && <p className="muted">No regression or improvement in the latest version's verdicts.</p>}
          {events.length > 0 && (
            <div className="table-scroll" tabIndex={0}>
              <table>
                <thead>
                  <tr><th scope="col">Kind</th><th scope="col">Benchmark</th><th scope="col">Metric</th><th scope="col">Versions</th>
                    <th scope="col" title="90 % interval on one-shot verdicts, 95 % on monitored ones">Effect [interval]</th><th scope="col">q</th><th scope="col">Verdicts</th></tr>
                </thead>
                <tbody>
                  {events.map((event) => (
                    <tr key={`${event.benchmarkId}:${event.metric}`} data-testid="timeline-event" data-kind={event.kind} data-metric={event.metric}
                      title={event.reason ?? undefined}>
                      <td><span className={`severity severity-${event.kind === 'regression' ? event.severity ?? 'major' : 'improvement'}`}>
                        {event.kind}{event.severity ? ` (${event.severity})` : ''}</span></td>
                      <td>{event.benchmarkName}</td>
                      <td>{event.metric}</td>
                      <td>{event.version} vs {event.baselineVersion ?? '—'}</td>
                      <td className="num">{formatEffect(event.metric, event.effect)}</td>
                      <td className="num">{formatP(event.qValue)}</td>
                      <td><button type="button" onClick={() => setOpenBenchmark(event.benchmarkId)}
                        aria-expanded={openBenchmark === event.benchmarkId}>Show verdicts</button></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </section>

      {openBenchmark && (
        <section className="card wide" aria-labelledby="verdicts-heading" data-testid="timeline-verdicts">
          <h2 id="verdicts-heading">Verdicts on {opened[0]?.benchmark_name ?? openBenchmark}</h2>
          <button type="button" onClick={() => setOpenBenchmark(null)}>Close</button>
          <div className="table-scroll" tabIndex={0}>
            <table>
              <thead><tr><th scope="col">Metric</th><th scope="col">Verdict</th><th scope="col" title="90 % interval on one-shot verdicts, 95 % on monitored ones">Effect [interval]</th><th scope="col">p</th>
                <th scope="col">q</th><th scope="col">Detectable change</th><th scope="col">Reason</th></tr></thead>
              <tbody>
                {opened.map((verdict) => (
                  <tr key={verdict.metric} data-testid="verdict-row" data-verdict={verdict.verdict}>
                    <td>{verdict.metric}</td><td>{verdict.verdict}</td>
                    <td className="num">{formatEffect(verdict.metric, verdict.effect)}</td>
                    <td className="num">{formatP(verdict.p_value)}</td><td className="num">{formatP(verdict.q_value)}</td>
                    <td className="num">{formatChange(verdict.metric, verdict.minimum_detectable_effect)}</td>
                    <td>{verdict.reason ?? '—'}{verdict.additional_runs ? ` (${verdict.additional_runs} more runs would settle it)` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
