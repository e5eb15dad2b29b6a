import { useState, type FormEvent } from 'react';
import { useAppStore } from '../state/app-store';

/** Shown to a browser without a session: the login link, and the admin password when one is set. */
export function SignIn() {
  const auth = useAppStore((s) => s.auth);
  const signIn = useAppStore((s) => s.signIn);
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void signIn(password).then(() => setPassword(''));
  };

  const network = useAppStore((s) => s.network);
  const signedOut = auth.state === 'signed-out' ? auth : undefined;
  return (
    <section className="card" aria-labelledby="signin-title" aria-busy={auth.state === 'checking'}>
      <h2 id="signin-title">Sign in</h2>
      {auth.state === 'checking' && <p>Checking whether this browser is signed in…</p>}
      {auth.state === 'unknown' && (
        <p className="error" role="alert">
          Could not ask the server whether this browser is signed in: {auth.message}
        </p>
      )}
      {signedOut && (
        <>
          <p>
            Open the one-time sign-in link that <code>medianest-appliance serve</code> printed in
            its terminal (it is also in <code>serve.json</code> in the appliance home). Each link
            works once, within 10 minutes; restart <code>serve</code> for a new one.
          </p>
          {signedOut.passwordLogin ? (
            <form className="signin-form" onSubmit={submit}>
              <p>
                {signedOut.mode === 'lan'
                  ? 'This server is reachable on your network: sign in with its admin password.'
                  : 'Or sign in with the admin password.'}
              </p>
              {network?.transport === 'https' && (
                <p className="fingerprint">
                  Before you type it, check that your browser shows this certificate fingerprint
                  (SHA-256), the one <code>serve</code> printed at its start:{' '}
                  <code data-fingerprint>{network.fingerprint}</code>
                </p>
              )}
              <label htmlFor="admin-password">Admin password</label>{' '}
              <input
                id="admin-password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                disabled={signedOut.busy}
              />{' '}
              <button type="submit" disabled={signedOut.busy || password === ''}>
                {signedOut.busy ? 'Signing in…' : 'Sign in'}
              </button>
              {signedOut.error && (
                <p className="error" role="alert">
                  {signedOut.error}
                </p>
              )}
            </form>
          ) : (
            <p>
              No admin password is set, so password sign-in is off. Set one to sign in from other
              machines: see <code>docs/headless.md</code>.
            </p>
          )}
        </>
      )}
    </section>
  );
}
