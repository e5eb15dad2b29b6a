import { useEffect } from 'react';
import { connectApi } from './api';
import { ConnectionBadge } from './components/ConnectionBadge';
import { DoctorPanel } from './components/DoctorPanel';
import { useAppStore } from './state/app-store';

const HEALTH_INTERVAL_MS = 5_000;

export function App() {
  const attach = useAppStore((s) => s.attach);
  const refreshHealth = useAppStore((s) => s.refreshHealth);
  const signedIn = useAppStore((s) => s.signedIn);

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    void connectApi().then(({ client, signedIn: hasToken }) => {
      attach(client, hasToken);
      void refreshHealth();
      timer = setInterval(() => void refreshHealth(), HEALTH_INTERVAL_MS);
    });
    return () => clearInterval(timer);
  }, [attach, refreshHealth]);

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <h1>MediaNest Appliance</h1>
        </div>
        <ConnectionBadge />
      </header>
      <main className="app-main">
        <section className="card intro" aria-labelledby="intro-title">
          <h2 id="intro-title">Your MediaNest server, set up for you</h2>
          <p>
            This app installs MediaNest with Docker on this computer: it checks the machine,
            generates every secret, starts the services in order and keeps them healthy and backed
            up.
          </p>
        </section>
        {signedIn ? (
          <DoctorPanel />
        ) : (
          <section className="card" aria-labelledby="signin-title">
            <h2 id="signin-title">Sign in</h2>
            <p>
              Open the sign-in link that <code>medianest-appliance serve</code> printed in its
              terminal to manage this server from the browser.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
