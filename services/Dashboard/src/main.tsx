import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { captureKeyFromFragment } from './api/apiKey';
import { App } from './App';
import './styles.css';

// Before the first request: a `#key=` link stores its key and the fragment leaves the address bar.
captureKeyFromFragment();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
