// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient, type AuthSession } from '@contract';
import { useAppStore } from '../state/app-store';
import { NetworkBanner } from './NetworkBanner';
import { SignIn } from './SignIn';

const initial = useAppStore.getState();
afterEach(cleanup);
beforeEach(() => useAppStore.setState(initial, true));

/** A client whose sign-in routes answer as given; nothing else is called by this card. */
function fakeClient(session: AuthSession, login: (password: string) => Promise<AuthSession>) {
  return {
    authSession: () => Promise.resolve(session),
    authLogin: (input?: { password: string }) => login(input?.password ?? ''),
  } as unknown as ApiClient;
}

async function showCard(client: ApiClient) {
  useAppStore.getState().attach(client, false);
  await act(() => useAppStore.getState().checkSession());
  render(<SignIn />);
}

describe('the sign-in card', () => {
  it('explains the login link when no admin password is set', async () => {
    await showCard(
      fakeClient({ signedIn: false, mode: 'loopback', passwordLogin: false }, () =>
        Promise.reject(new Error('unused')),
      ),
    );
    expect(screen.getByRole('heading', { name: 'Sign in' }).tagName).toBe('H2');
    expect(screen.getByText(/one-time sign-in link/).textContent).toMatch(/one-time sign-in link/);
    expect(screen.queryByLabelText('Admin password')).toBeNull();
  });

  it('signs in with the admin password in LAN mode', async () => {
    const tried: string[] = [];
    await showCard(
      fakeClient({ signedIn: false, mode: 'lan', passwordLogin: true }, (password) => {
        tried.push(password);
        return Promise.resolve({
          signedIn: true,
          via: 'session',
          mode: 'lan',
          passwordLogin: true,
        });
      }),
    );
    expect(screen.getByText(/reachable on your network/).textContent).toMatch(
      /reachable on your network/,
    );
    fireEvent.change(screen.getByLabelText('Admin password'), {
      target: { value: 'pw-123456789' },
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    });
    expect(tried).toEqual(['pw-123456789']);
    expect(useAppStore.getState().signedIn).toBe(true);
  });

  it('shows why a sign-in was refused: a wrong password, or too many tries', async () => {
    const answers = [
      new ApiError('unauthorized', 'That is not the admin password.', 401),
      new ApiError(
        'rate_limited',
        'Too many failed sign-ins from this address. Try again in 15 minutes.',
        429,
      ),
    ];
    await showCard(
      fakeClient({ signedIn: false, mode: 'lan', passwordLogin: true }, () =>
        Promise.reject(answers.shift() ?? new Error('no more answers')),
      ),
    );
    for (const expected of ['That is not the admin password.', /Try again in 15 minutes/]) {
      fireEvent.change(screen.getByLabelText('Admin password'), {
        target: { value: 'wrong-password' },
      });
      await act(async () => {
        fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
      });
      expect(screen.getByRole('alert').textContent).toMatch(expected);
    }
    expect(useAppStore.getState().signedIn).toBe(false);
  });
});

describe('the network the server is reached over', () => {
  const FINGERPRINT = Array.from({ length: 32 }, (_, i) =>
    (i + 16).toString(16).toUpperCase(),
  ).join(':');

  it('shows the certificate fingerprint to compare before the password is typed', async () => {
    await showCard(
      fakeClient(
        {
          signedIn: false,
          mode: 'lan',
          passwordLogin: true,
          network: { transport: 'https', fingerprint: FINGERPRINT },
        },
        () => Promise.reject(new Error('unused')),
      ),
    );
    expect(screen.getByText(FINGERPRINT).tagName).toBe('CODE');
    // The fingerprint stands in the sentence that says what to compare it with.
    expect(screen.getByText(FINGERPRINT).closest('p')?.textContent).toMatch(
      /check that your browser shows this certificate fingerprint \(SHA-256\), the one serve printed at its start: [0-9A-F:]+$/,
    );
  });

  it('warns on every screen when the server speaks plain HTTP beyond loopback', async () => {
    await showCard(
      fakeClient(
        { signedIn: false, mode: 'lan', passwordLogin: true, network: { transport: 'plain-http' } },
        () => Promise.reject(new Error('unused')),
      ),
    );
    render(<NetworkBanner />);
    expect(screen.getByRole('alert').textContent).toMatch(
      /Not encrypted\..*--insecure-plain-http.*clear text/,
    );
  });

  it('says nothing of it on loopback', async () => {
    await showCard(
      fakeClient({ signedIn: false, mode: 'loopback', passwordLogin: true }, () =>
        Promise.reject(new Error('unused')),
      ),
    );
    const { container } = render(<NetworkBanner />);
    expect(container.textContent).toBe('');
    expect(screen.queryByText(/fingerprint/)).toBeNull();
  });
});
