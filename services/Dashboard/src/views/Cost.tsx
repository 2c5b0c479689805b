import { useId, useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { getJson, withQuery } from '../api/client';
import type { CostFrontier, RunList, SuiteList } from '../api/types';
import { usePoll } from '../api/usePoll';
import { Empty, ErrorBox, Loading } from '../components/States';
import { Chart, type ChartClick, type ChartOption } from '../components/Chart';
import { formatDateTime, formatScore, formatUsd } from '../shaping/format';
import { frontierLine, markFrontier } from '../shaping/pareto';

/** `/cost?suite=`: §10.1 CostEfficiencyScatter, cost per task against performance for every agent configuration on a suite. */
export default function Cost() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const pickerId = useId();
  const suites = usePoll([], (signal) => getJson<SuiteList>('/suites', signal));
  // Without a suite in the address: the suite of the newest run, the one a person most likely just looked at.
  const newestRun = usePoll(params.get('suite') ? null : [], (signal) => getJson<RunList>(withQuery('/benchmarks/runs', { limit: 1 }), signal), { poll: false });
  const settled = Boolean(newestRun.data || newestRun.error);
  const suite = params.get('suite') ?? (settled ? newestRun.data?.runs[0]?.suite_id ?? suites.data?.suites[0]?.suite_id ?? null : null);

  const frontier = usePoll(suite ? [suite] : null, (signal) => getJson<CostFrontier>(withQuery('/benchmarks/cost-frontier', { suite_id: suite }), signal));
  const points = useMemo(() => markFrontier(frontier.data?.points ?? []), [frontier.data]);
  const plotted = points.filter((point) => point.cost_per_task_usd !== null && point.performance !== null);

  const option = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    grid: { left: 64, right: 24, top: 36, bottom: 64 },
    xAxis: { type: 'value', name: 'cost per task (USD)', nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: 'performance (accuracy × speed)', min: 0, max: 1 },
    series: [
      ...([true, false] as const).map((onFrontier) => ({
        name: onFrontier ? 'On the frontier' : 'Other configurations',
        type: 'scatter',
        symbol: onFrontier ? 'diamond' : 'circle',
        symbolSize: onFrontier ? 18 : 13,
        data: plotted.filter((point) => point.frontier === onFrontier).map((point) => ({
          value: [point.cost_per_task_usd, point.performance],
          agentId: point.agent_id,
          label: `${point.agent_name} ${point.agent_version}`,
        })),
        tooltip: { formatter: (p: { data: { label: string; value: [number, number] } }) =>
          `${p.data.label}<br/>${formatUsd(p.data.value[0])} per task, performance ${p.data.value[1].toFixed(3)}<br/>Click for its timeline` },
      })),
      { name: 'Pareto frontier', type: 'line', step: 'end', symbol: 'none', lineStyle: { type: 'dashed' }, data: frontierLine(points), tooltip: { show: false } },
    ],
  }), [plotted, points]);

  const onClick = (click: ChartClick) => {
    const data = click.data as { agentId?: string } | undefined;
    if (data?.agentId) navigate(`/timeline/${data.agentId}`);
  };

  const choose = (value: string) => {
    const next = new URLSearchParams(params);
    next.set('suite', value);
    setParams(next);
  };

  return (
    <div className="stack">
      <h1>Cost efficiency</h1>
      {suites.error && <ErrorBox error={suites.error} />}
      {suites.data && suites.data.suites.length === 0 && (
        <Empty><p>No suites yet: create one with <code>benchmesh suite create …</code> or <code>POST /suites</code>, then run agents on it.</p></Empty>
      )}
      {suites.data && suites.data.suites.length > 0 && (
        <span className="picker">
          <label htmlFor={pickerId}>Suite</label>
          <select id={pickerId} value={suite ?? ''} onChange={(event) => choose(event.target.value)}>
            {suites.data.suites.map((s) => <option key={s.suite_id} value={s.suite_id}>{s.suite_name}</option>)}
          </select>
        </span>
      )}
      {frontier.error && <ErrorBox error={frontier.error} />}
      {frontier.loading && !frontier.data && suite && <Loading what="the cost frontier" />}
      {frontier.data && points.length === 0 && (
        <Empty><p>No successful execution on this suite yet: run an agent on it (<code>benchmesh run --agent &lt;id&gt; --suite {suite}</code>).</p></Empty>
      )}
      {points.length > 0 && (
        <section className="card wide" data-testid="cost-scatter" aria-labelledby="cost-heading">
          <h2 id="cost-heading">Cost per task against performance</h2>
          <p className="muted">Latest successful execution per configuration (version + model configuration) and benchmark. Frontier points (diamonds, joined by the dashed line) are not beaten on both cost and performance by any other.</p>
          <Chart option={option} onClick={onClick} height={380} label="Scatter of cost per task against performance, one point per agent configuration, with the Pareto frontier" />
          <div className="table-scroll" tabIndex={0}>
            <table>
              <thead><tr><th scope="col">Agent</th><th scope="col">Version</th><th scope="col">Cost per task</th><th scope="col">Performance</th>
                <th scope="col">Accuracy</th><th scope="col">Speed</th><th scope="col">Frontier</th><th scope="col">Efficiency</th><th scope="col">Latest</th></tr></thead>
              <tbody>
                {points.map((point) => (
                  <tr key={`${point.agent_id}:${point.configuration_id}`} data-testid="cost-point" data-agent-name={point.agent_name}
                    data-version={point.agent_version} data-frontier={point.frontier ? 'true' : 'false'}>
                    <th scope="row"><Link to={`/timeline/${point.agent_id}`}>{point.agent_name}</Link></th>
                    <td>{point.agent_version}</td>
                    <td className="num">{formatUsd(point.cost_per_task_usd)}</td>
                    <td className="num">{formatScore(point.performance)}</td>
                    <td className="num">{formatScore(point.accuracy_score)}</td>
                    <td className="num">{formatScore(point.speed_score)}</td>
                    <td>{point.frontier ? 'on the frontier' : point.comparable ? 'no' : 'not comparable'}</td>
                    <td className="num">{formatScore(point.efficiency_score)}</td>
                    <td>{formatDateTime(point.latest_execution_at)}</td>
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
