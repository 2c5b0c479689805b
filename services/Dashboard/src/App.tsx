import { lazy, Suspense, useSyncExternalStore } from 'react';
import { NavLink, Route, Routes } from 'react-router-dom';
import { keyState, subscribeKey } from './api/apiKey';
import { ApiKeyForm } from './components/ApiKeyForm';
import { LiveStatus } from './components/LiveStatus';
import { Loading } from './components/States';
import Overview from './views/Overview';

// The overview, the first view, is in the app's main chunk: it renders as soon as that chunk has run, with no
// second round trip for its code. Every other view is its own chunk (React.lazy), and so is ECharts (Chart.tsx).
// Client routes avoid the API's paths (/agents, /suites, /benchmarks, /stress), which the gateway keeps.
const Timeline = lazy(() => import('./views/Timeline'));
const HeadToHead = lazy(() => import('./views/HeadToHead'));
const Cost = lazy(() => import('./views/Cost'));
const StressList = lazy(() => import('./views/StressList'));
const StressRunView = lazy(() => import('./views/StressRun'));
const Alerts = lazy(() => import('./views/Alerts'));

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/head-to-head', label: 'Head to head' },
  { to: '/cost', label: 'Cost' },
  { to: '/stress-tests', label: 'Stress tests' },
  { to: '/alerts', label: 'Alerts' },
];

export function App() {
  const needsKey = useSyncExternalStore(subscribeKey, () => keyState().needed);
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="site-header">
        <span className="brand">BenchMesh</span>
        <nav aria-label="Views">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}><NavLink to={item.to} end={item.end}>{item.label}</NavLink></li>
            ))}
          </ul>
        </nav>
        <LiveStatus />
      </header>
      <main id="main">
        {needsKey && <ApiKeyForm />}
        <Suspense fallback={<Loading what="the view" />}>
          <Routes>
            <Route path="/" element={<Overview />} />
            <Route path="/timeline/:agentId" element={<Timeline />} />
            <Route path="/head-to-head" element={<HeadToHead />} />
            <Route path="/cost" element={<Cost />} />
            <Route path="/stress-tests" element={<StressList />} />
            <Route path="/stress-tests/:runId" element={<StressRunView />} />
            <Route path="/alerts" element={<Alerts />} />
            <Route path="*" element={<p>No such page. <NavLink to="/">Back to the overview</NavLink>.</p>} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}
