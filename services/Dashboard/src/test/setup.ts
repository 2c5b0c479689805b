import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

// jsdom has neither; ECharts and the theme check ask for them.
if (!window.matchMedia) {
  window.matchMedia = (query: string) => ({
    matches: false, media: query, onchange: null,
    addListener: () => {}, removeListener: () => {}, addEventListener: () => {}, removeEventListener: () => {}, dispatchEvent: () => false,
  }) as MediaQueryList;
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});
