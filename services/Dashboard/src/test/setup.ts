import { afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';

// The views are lazy chunks that Vite transforms on first import: on a busy 2-core machine that takes seconds, so
// findBy* waits up to 15 s (a wait for an element, not a timing assertion).
configure({ asyncUtilTimeout: 15000 });

// jsdom has neither; ECharts and the theme check ask for them.
if (!window.matchMedia) {
  window.matchMedia = (query: string) => ({
    matches: false, media: query, onchange: null,
    addListener: () => {}, removeListener: () => {}, addEventListener: () => {}, removeEventListener: () => {}, dispatchEvent: () => false,
  }) as MediaQueryList;
}

// ECharts measures label text on a 2D canvas context, which jsdom does not implement: a fixed-width stand-in.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return { measureText: (text: string) => ({ width: text.length * 7 }), font: '' };
} as unknown as HTMLCanvasElement['getContext'];

afterEach(() => {
  cleanup();
  localStorage.clear();
});
