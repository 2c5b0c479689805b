import { Link } from 'react-router-dom';
import { getJson, withQuery } from '../api/client';
import type { StressRunList } from '../api/types';
import { usePoll } from '../api/usePoll';
import { Empty, ErrorBox, Loading } from '../components/States';
import { formatDateTime } from '../shaping/format';

/** `/stress-tests`: the stress runs, newest first; each opens its results. */
export default function StressList() {
  const runs = usePoll([], (signal) => getJson<StressRunList>(withQuery('/stress/runs', { limit: 50 }), signal));
  const list = runs.data?.runs ?? [];
  return (
    <div className="stack">
      <h1>Stress tests</h1>
      {runs.error && <ErrorBox error={runs.error} />}
      {runs.loading && !runs.data && <Loading what="the stress runs" />}
      {runs.data && list.length === 0 && (
        <Empty><p>No stress runs yet: start one with <code>POST /stress/runs</code> and <code>{'{"agent_id": "…", "agent_version": "1.0", "scenario": "spike"}'}</code>.</p></Empty>
      )}
      {list.length > 0 && (
        <div className="table-scroll" tabIndex={0}>
          <table data-testid="stress-results">
            <thead>
              <tr><th scope="col">Scenario</th><th scope="col">Agent</th><th scope="col">Status</th><th scope="col">Requests</th>
                <th scope="col">Workers</th><th scope="col">Started</th><th scope="col">Completed</th></tr>
            </thead>
            <tbody>
              {list.map((run) => (
                <tr key={run.stress_run_id} data-testid="stress-scenario" data-scenario={run.scenario} data-status={run.status} data-run-id={run.stress_run_id}>
                  <th scope="row"><Link to={`/stress-tests/${run.stress_run_id}`}>{run.scenario}</Link></th>
                  <td><Link to={`/timeline/${run.agent_id}`}>{run.agent_name} {run.agent_version}</Link></td>
                  <td>{run.status}{run.error ? `: ${run.error}` : ''}</td>
                  <td className="num">{run.requests_completed.toLocaleString('en')}</td>
                  <td className="num">{run.workers}</td>
                  <td>{formatDateTime(run.started_at ?? run.created_at)}</td>
                  <td>{formatDateTime(run.completed_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
