import { Link } from 'react-router-dom';
import type { Alert } from '../shaping/alerts';
import { formatDateTime, formatEffect, formatP } from '../shaping/format';

/** §10.1 RegressionAlerts: one row per regression, linking to the agent's timeline. */
export function AlertsTable({ alerts }: { alerts: readonly Alert[] }) {
  return (
    <div className="table-scroll" tabIndex={0}>
      <table data-testid="alerts-list">
        <thead>
          <tr>
            <th scope="col">Severity</th><th scope="col">Agent</th><th scope="col">Benchmark</th><th scope="col">Metric</th>
            <th scope="col" title="90 % interval on one-shot verdicts, 95 % on monitored ones">Effect [interval]</th><th scope="col">q</th><th scope="col">Health</th><th scope="col">Action</th>
            <th scope="col">Detected</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr key={alert.id} data-testid="alert-row" data-severity={alert.severity} data-agent-name={alert.agentName}>
              <td><span className={`severity severity-${alert.severity}`}>{alert.severity}</span></td>
              <th scope="row" className="nowrap">
                <Link to={`/timeline/${alert.agentId}`} title={alert.impact ?? undefined}>
                  {alert.agentName}{alert.version ? ` ${alert.version}` : ''}
                </Link>
                {alert.baselineVersion && <span className="muted"> vs {alert.baselineVersion}</span>}
              </th>
              <td>{alert.benchmarkName}</td>
              <td>{alert.metric}</td>
              <td className="num">{formatEffect(alert.metric, alert.effect)}</td>
              <td className="num">{formatP(alert.qValue)}</td>
              <td>{alert.health ?? '—'}</td>
              <td>{alert.action ?? '—'}</td>
              <td className="nowrap">{formatDateTime(alert.detectedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
