import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { connectApi, connectLocalApi } from './api';
import { ApplianceSwitcher } from './components/ApplianceSwitcher';
import { ConnectionBadge } from './components/ConnectionBadge';
import { ErrorBoundary } from './components/ErrorBoundary';
import { LiveBanner } from './components/LiveBanner';
import { NetworkBanner } from './components/NetworkBanner';
import { NavBar } from './components/NavBar';
import { SignIn } from './components/SignIn';
import { DashboardPage } from './pages/DashboardPage';
import { matchPath, navigate, usePath } from './router';
import { useAppStore } from './state/app-store';
import { useLiveStore } from './state/live-store';
import { useFields } from './state/use-fields';
import { currentAppliance, forgetAppliance } from './target';

const HEALTH_INTERVAL_MS = 5_000;

// Everything but the dashboard loads on demand, so the first screen stays small.
const named = <K extends string>(
  load: () => Promise<Record<K, ComponentType<Record<string, never>>>>,
  name: K,
) => lazy(() => load().then((m) => ({ default: m[name] })));

/** The pages by path; a service's page (`/services/:name`) is matched on its own. */
const PAGES: Record<string, ComponentType> = {
  '/': DashboardPage,
  '/logs': named(() => import('./pages/LogsPage'), 'LogsPage'),
  '/alerts': named(() => import('./pages/AlertsPage'), 'AlertsPage'),
  '/setup': named(() => import('./pages/FirstRunPage'), 'FirstRunPage'),
  '/settings': named(() => import('./pages/SettingsPage'), 'SettingsPage'),
  '/backups': named(() => import('./pages/BackupsPage'), 'BackupsPage'),
};
const ServicePage = lazy(() =>
  import('./pages/ServicePage').then((m) => ({ default: m.ServicePage })),
);

/** Pages that make sense before anything is installed; every other one sends the user to /setup. */
const BEFORE_INSTALL = ['/setup', '/settings', '/backups'];

function Routes() {
  const path = usePath();
  const service = matchPath('/services/:name', path);
  if (service?.name) return <ServicePage name={service.name} />;
  const Page = PAGES[path.replace(/\/+$/, '') || '/'];
  if (Page) return <Page />;
  return (
    <section className="card" aria-labelledby="nf-title">
      <h2 id="nf-title">There is no such page</h2>
      <p>
        <a href="/">Go to the dashboard</a>
      </p>
    </section>
  );
}

export function App() {
  const { attach, refreshHealth, checkSession, signedIn, client } = useFields(useAppStore, [
    'attach',
    'refreshHealth',
    'checkSession',
    'signedIn',
    'client',
  ]);
  const startLive = useLiveStore((s) => s.start);
  const stopLive = useLiveStore((s) => s.stop);
  const installed = useLiveStore((s) => s.installed);
  const path = usePath();

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    void signedInHereFirst()
      .then(connectApi)
      .then(({ client: c, hasToken, token }) => {
        if (stopped) return;
        tokenOf.current = token;
        attach(c, hasToken);
        void checkSession();
        void refreshHealth();
        timer = setInterval(() => void refreshHealth(), HEALTH_INTERVAL_MS);
      });
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [attach, refreshHealth, checkSession]);

  useEffect(() => {
    if (!signedIn || !client) return;
    startLive(client, tokenOf.current);
    return stopLive;
  }, [signedIn, client, startLive, stopLive]);

  useEffect(() => {
    if (installed === false && !BEFORE_INSTALL.some((p) => path.startsWith(p))) {
      navigate('/setup', { replace: true });
    }
  }, [installed, path]);

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <h1>MediaNest Appliance</h1>
        </div>
        {signedIn && <NavBar />}
        {signedIn && <ApplianceSwitcher />}
        <ConnectionBadge />
      </header>
      <main className="app-main" id="main" tabIndex={-1}>
        <NetworkBanner />
        {signedIn && <LiveBanner />}
        {signedIn ? (
          <ErrorBoundary resetKey={path}>
            <Suspense
              fallback={
                <p className="card" role="status">
                  Loading…
                </p>
              }
            >
              <Routes />
            </Suspense>
          </ErrorBoundary>
        ) : (
          <>
            <section className="card intro" aria-labelledby="intro-title">
              <h2 id="intro-title">Your MediaNest server, set up for you</h2>
              <p>
                This app installs MediaNest with Docker on this computer: it checks the machine,
                generates every secret, starts the services in order and keeps them healthy and
                backed up.
              </p>
            </section>
            <SignIn />
          </>
        )}
      </main>
    </div>
  );
}

/**
 * A paired appliance is reached through this computer's server, as whoever is signed in here: a
 * tab that is not (its session ended) manages this computer again, and signs in here first.
 */
async function signedInHereFirst(): Promise<void> {
  if (currentAppliance() === undefined) return;
  const session = await (await connectLocalApi()).authSession().catch(() => undefined);
  if (!session?.signedIn) forgetAppliance();
}

/** The desktop shell's token, kept outside React state: only the live stream needs it. */
const tokenOf: { current: string | undefined } = { current: undefined };
