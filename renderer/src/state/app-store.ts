import { create } from 'zustand';
import {
  ApiError,
  type ApiClient,
  type AuthSession,
  type DoctorReport,
  type Health,
  type MediaNestAddress,
  messageOf,
} from '@contract';
import { Superseded, withRetry } from './retry';

export type Connection =
  | { state: 'connecting' }
  | { state: 'connected'; health: Health }
  | { state: 'lost'; message: string };

export type DoctorState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; report: DoctorReport }
  | { state: 'error'; message: string; code: string };

/** Whether this browser may use the API, and how it can sign in when it may not. */
export type AuthState =
  | { state: 'checking' }
  | { state: 'unknown'; message: string }
  | { state: 'signed-in'; via: NonNullable<AuthSession['via']> }
  | {
      state: 'signed-out';
      mode: AuthSession['mode'];
      passwordLogin: boolean;
      busy: boolean;
      error?: string;
    };

let doctorRun = 0;

interface AppState {
  client: ApiClient | undefined;
  signedIn: boolean;
  auth: AuthState;
  /** Asks the server whether this browser is signed in (token or session cookie). */
  checkSession: () => Promise<void>;
  /** Admin password sign-in (the server sets the session cookie). */
  signIn: (password: string) => Promise<void>;
  /** How the server speaks beyond loopback (HTTPS and its fingerprint, or plain HTTP). */
  network: AuthSession['network'];
  connection: Connection;
  doctor: DoctorState;
  attach: (client: ApiClient, signedIn: boolean) => void;
  refreshHealth: () => Promise<void>;
  /** Runs the readiness checks; with ports, for those (the ones the user is choosing). */
  runDoctor: (ports?: { httpPort?: number; httpsPort?: number }) => Promise<void>;
  /** Shows a report another check already fetched (the wizard's live port check). */
  showDoctor: (report: DoctorReport) => void;
  /** Where MediaNest answers for others; null before an install, undefined until read. */
  address: MediaNestAddress | null | undefined;
  loadAddress: () => Promise<void>;
}

export const useAppStore = create<AppState>((set, get) => ({
  client: undefined,
  signedIn: false,
  auth: { state: 'checking' },
  network: undefined,
  connection: { state: 'connecting' },
  doctor: { state: 'idle' },
  address: undefined,
  loadAddress: async () => {
    const client = get().client;
    if (!client) return;
    try {
      const { address } = await withRetry(() => client.mediaNestAddress());
      set({ address });
    } catch {
      // Refused (signed out): the sign-in card takes over; the button stays hidden.
    }
  },
  attach: (client, signedIn) => set({ client, signedIn }),
  checkSession: async () => {
    const client = get().client;
    if (!client) return;
    try {
      const session = await client.authSession();
      set({ network: session.network });
      set(
        session.signedIn
          ? { signedIn: true, auth: { state: 'signed-in', via: session.via ?? 'session' } }
          : {
              signedIn: false,
              auth: {
                state: 'signed-out',
                mode: session.mode,
                passwordLogin: session.passwordLogin,
                busy: false,
              },
            },
      );
    } catch (error) {
      set({ auth: { state: 'unknown', message: messageOf(error) } });
    }
  },
  signIn: async (password) => {
    const { client, auth } = get();
    if (!client || auth.state !== 'signed-out') return;
    set({ auth: { ...auth, busy: true, error: undefined } });
    try {
      const session = await client.authLogin({ password });
      set({ signedIn: true, auth: { state: 'signed-in', via: session.via ?? 'session' } });
    } catch (error) {
      const message =
        error instanceof ApiError && error.code === 'unauthorized'
          ? 'That is not the admin password.'
          : messageOf(error);
      set({ auth: { ...auth, busy: false, error: message } });
    }
  },
  refreshHealth: async () => {
    const client = get().client;
    if (!client) return;
    try {
      set({ connection: { state: 'connected', health: await client.health() } });
      // A sign-in check that failed while the server was unreachable is retried once it answers.
      if (get().auth.state === 'unknown') await get().checkSession();
    } catch (error) {
      set({
        connection: {
          state: 'lost',
          message: messageOf(error),
        },
      });
    }
  },
  showDoctor: (report) => {
    doctorRun++;
    set({ doctor: { state: 'done', report } });
  },
  runDoctor: async (ports) => {
    const client = get().client;
    if (!client) return;
    const mine = ++doctorRun;
    set({ doctor: { state: 'running' } });
    try {
      // A server that does not answer yet (starting, restarting) is asked again, longer apart.
      const report = await withRetry(() => client.doctor(ports ?? {}), {
        superseded: () => mine !== doctorRun,
        onRetry: (error) =>
          set({ doctor: { state: 'error', code: 'network', message: messageOf(error) } }),
      });
      set({ doctor: { state: 'done', report } });
    } catch (error) {
      if (error instanceof Superseded) return;
      const code = error instanceof ApiError ? error.code : 'internal';
      // The session ended (expired, signed out elsewhere): show the sign-in card again.
      if (code === 'unauthorized') void get().checkSession();
      set({
        doctor: {
          state: 'error',
          code,
          message: messageOf(error),
        },
      });
    }
  },
}));
