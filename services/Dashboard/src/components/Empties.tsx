import { Empty } from './States';

/** The first thing a new workspace needs, in the CLI's and the API's words. */
export function NoAgentsYet({ testId }: { testId?: string }) {
  return (
    <Empty testId={testId}>
      <p>
        <strong>No agents yet:</strong> register one with <code>benchmesh agent register …</code> or <code>POST /agents</code>,
        then run a suite against it with <code>benchmesh run …</code> or <code>POST /benchmarks/run</code>.
      </p>
    </Empty>
  );
}

export function NoScoresYet({ testId }: { testId?: string }) {
  return (
    <Empty testId={testId}>
      <p>
        <strong>No scores in the last 30 days.</strong> Run a suite: <code>benchmesh run --agent &lt;id&gt; --suite &lt;id&gt;</code>
        or <code>POST /benchmarks/run</code>. No agents yet? Register one with <code>benchmesh agent register …</code> or <code>POST /agents</code>.
      </p>
    </Empty>
  );
}
