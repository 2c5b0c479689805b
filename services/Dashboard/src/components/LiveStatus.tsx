import { useEffect, useState, useSyncExternalStore } from 'react';
import { liveState, subscribeLive } from '../api/live';
import { POLL_INTERVAL_MS } from '../api/usePoll';

/** "Live · updated 12:01:05 (3 s ago)", or paused while the tab is hidden. */
export function LiveStatus() {
  const state = useSyncExternalStore(subscribeLive, liveState);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const at = state.lastRefreshed;
  const ago = at ? Math.max(0, Math.round((now - at.getTime()) / 1000)) : null;
  return (
    <p className="live-status" data-testid="live-status" aria-live="off"
      data-last-refreshed={at ? at.toISOString() : ''}>
      {state.hidden ? 'Paused while the tab is hidden' : `Live, every ${POLL_INTERVAL_MS / 1000} s`}
      {' · '}
      {at ? <>updated <time dateTime={at.toISOString()}>{at.toLocaleTimeString()}</time> ({ago} s ago)</> : 'not loaded yet'}
    </p>
  );
}
