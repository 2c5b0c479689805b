// When data last came in, for the live-status line: every poll reports here.

type Listener = () => void;

interface LiveState {
  lastRefreshed: Date | null;
  hidden: boolean;
}

let state: LiveState = { lastRefreshed: null, hidden: typeof document !== 'undefined' && document.visibilityState === 'hidden' };
const listeners = new Set<Listener>();

function emit(next: LiveState) {
  state = next;
  for (const listener of listeners) listener();
}

export function reportRefreshed(at: Date = new Date()) {
  emit({ ...state, lastRefreshed: at });
}

export function reportVisibility(hidden: boolean) {
  if (hidden !== state.hidden) emit({ ...state, hidden });
}

export function liveState(): LiveState {
  return state;
}

export function subscribeLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => reportVisibility(document.visibilityState === 'hidden'));
}
