// The caller's API key: kept in localStorage, taken once from a `#key=<key>` fragment (so a link can carry it without
// it reaching any server log: fragments are never sent), and announced to subscribers when it changes or when the
// API refused it (401), so that every view fetches again with the new key.

export const API_KEY_STORAGE = 'benchmesh.apiKey';

type Listener = () => void;

interface KeyState {
  key: string | null;
  /** True after a 401: the app shows the key form until a key is entered. */
  needed: boolean;
  /** Bumped on every change of key, so that data hooks refetch. */
  generation: number;
}

let state: KeyState = { key: readStoredKey(), needed: false, generation: 0 };
const listeners = new Set<Listener>();

function readStoredKey(): string | null {
  try {
    const stored = globalThis.localStorage?.getItem(API_KEY_STORAGE);
    return stored ? stored : null;
  } catch {
    return null; // storage disabled (private mode): the key lives for this page only
  }
}

function emit(next: KeyState) {
  state = next;
  for (const listener of listeners) listener();
}

/**
 * Takes `#key=<key>` out of the URL (stored, then the fragment removed from the address bar and history entry).
 * Returns the key it found, or null.
 */
export function captureKeyFromFragment(location: Location = window.location, history: History = window.history): string | null {
  const fragment = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const key = new URLSearchParams(fragment).get('key');
  if (!key) return null;
  setApiKey(key);
  history.replaceState(history.state, '', location.pathname + location.search);
  return key;
}

export function getApiKey(): string | null {
  return state.key;
}

export function setApiKey(key: string | null) {
  const trimmed = key?.trim() || null;
  try {
    if (trimmed) globalThis.localStorage?.setItem(API_KEY_STORAGE, trimmed);
    else globalThis.localStorage?.removeItem(API_KEY_STORAGE);
  } catch {
    // storage disabled: keep it in memory
  }
  emit({ key: trimmed, needed: false, generation: state.generation + 1 });
}

/** Called by the client on a 401: the key is missing or no longer valid. */
export function markKeyNeeded() {
  if (!state.needed) emit({ ...state, needed: true });
}

export function authorizationHeaders(): Record<string, string> {
  return state.key ? { Authorization: `Bearer ${state.key}` } : {};
}

export function keyState(): KeyState {
  return state;
}

export function subscribeKey(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tests only: forget the in-memory state and read storage again. */
export function resetKeyStateForTests() {
  state = { key: readStoredKey(), needed: false, generation: 0 };
}
