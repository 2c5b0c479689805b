import type { ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return <p className="loading" role="status" aria-live="polite">Loading {what}…</p>;
}

/** An API error, saying which route failed with which status and the problem's words (client.ts). */
export function ErrorBox({ error }: { error: Error }) {
  return <p className="error" role="alert">{error.message}</p>;
}

/** What is missing and what to do about it. */
export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return <div className="empty" data-testid={testId}>{children}</div>;
}

/** A chart's figures as a table (what screen readers and the browser tests read), folded under the chart. */
export function DataTableDetails({ summary, children }: { summary: string; children: ReactNode }) {
  return (
    <details className="data-table">
      <summary>{summary}</summary>
      {children}
    </details>
  );
}
