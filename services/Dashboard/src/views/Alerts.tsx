import { useId, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { loadAlerts } from '../api/loaders';
import { usePoll } from '../api/usePoll';
import { AlertsTable } from '../components/AlertsTable';
import { Empty, ErrorBox, Loading } from '../components/States';
import { ACTIONS, filterAlerts, HEALTHS, SEVERITIES } from '../shaping/alerts';

function Filter({ name, label, options, value, onChange }: { name: string; label: string; options: readonly string[]; value: string; onChange: (name: string, value: string) => void }) {
  const id = useId();
  return (
    <span className="picker">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(name, event.target.value)}>
        <option value="">any</option>
        {options.map((option) => <option key={option} value={option}>{option}</option>)}
      </select>
    </span>
  );
}

/** `/alerts?severity=&health=&action=`: §10.1 RegressionAlerts, newest first, filterable; each links to its timeline. */
export default function Alerts() {
  const [params, setParams] = useSearchParams();
  const alerts = usePoll([], (signal) => loadAlerts(signal, 100));
  const filter = { severity: params.get('severity') ?? '', health: params.get('health') ?? '', action: params.get('action') ?? '' };
  const shown = useMemo(() => filterAlerts(alerts.data?.alerts ?? [], filter),
    [alerts.data, filter.severity, filter.health, filter.action]);

  const change = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };

  return (
    <div className="stack">
      <h1>Regression alerts</h1>
      <div className="pickers" role="group" aria-label="Filters">
        <Filter name="severity" label="Severity" options={SEVERITIES} value={filter.severity} onChange={change} />
        <Filter name="health" label="Health" options={HEALTHS} value={filter.health} onChange={change} />
        <Filter name="action" label="Recommended action" options={ACTIONS} value={filter.action} onChange={change} />
      </div>
      {alerts.data?.source === 'per_agent' && (
        <p className="muted">From each agent's latest judgement (this gateway has no workspace-wide regression list).</p>
      )}
      {alerts.error && <ErrorBox error={alerts.error} />}
      {alerts.loading && !alerts.data && <Loading what="the alerts" />}
      {alerts.data && alerts.data.alerts.length === 0 && (
        <Empty><p>No regressions detected. Each new version of an agent is judged against the earlier ones once its runs are scored.</p></Empty>
      )}
      {alerts.data && alerts.data.alerts.length > 0 && shown.length === 0 && <Empty><p>No alert matches these filters.</p></Empty>}
      {shown.length > 0 && <AlertsTable alerts={shown} />}
    </div>
  );
}
