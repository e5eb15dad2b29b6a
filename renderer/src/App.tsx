import { useEffect } from 'react';
import { connectApi } from './api';
import { ConnectionBadge } from './components/ConnectionBadge';
import { DoctorPanel } from './components/DoctorPanel';
import { SignIn } from './components/SignIn';
import { useAppStore } from './state/app-store';

const HEALTH_INTERVAL_MS = 5_000;

export function App() {
  const attach = useAppStore((s) => s.attach);
  const refreshHealth = useAppStore((s) => s.refreshHealth);
  const checkSession = useAppStore((s) => s.checkSession);
  const signedIn = useAppStore((s) => s.signedIn);

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    void connectApi().then(({ client, hasToken }) => {
      attach(client, hasToken);
      void checkSession();
      void refreshHealth();
      timer = setInterval(() => void refreshHealth(), HEALTH_INTERVAL_MS);
    });
    return () => clearInterval(timer);
  }, [attach, refreshHealth, checkSession]);

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
        {signedIn ? <DoctorPanel /> : <SignIn />}
      </main>
    </div>
  );
}
