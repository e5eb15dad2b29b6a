import { create } from 'zustand';
import {
  ApiError,
  type ApiClient,
  type DoctorReport,
  type Health,
} from '../../../server/src/contract/index.js';

export type Connection =
  | { state: 'connecting' }
  | { state: 'connected'; health: Health }
  | { state: 'lost'; message: string };

export type DoctorState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; report: DoctorReport }
  | { state: 'error'; message: string; code: string };

interface AppState {
  client: ApiClient | undefined;
  signedIn: boolean;
  connection: Connection;
  doctor: DoctorState;
  attach: (client: ApiClient, signedIn: boolean) => void;
  refreshHealth: () => Promise<void>;
  runDoctor: () => Promise<void>;
}

export const useAppStore = create<AppState>((set, get) => ({
  client: undefined,
  signedIn: false,
  connection: { state: 'connecting' },
  doctor: { state: 'idle' },
  attach: (client, signedIn) => set({ client, signedIn }),
  refreshHealth: async () => {
    const client = get().client;
    if (!client) return;
    try {
      set({ connection: { state: 'connected', health: await client.health() } });
    } catch (error) {
      set({
        connection: {
          state: 'lost',
          message: error instanceof Error ? error.message : String(error),
        },
      });
    }
  },
  runDoctor: async () => {
    const client = get().client;
    if (!client) return;
    set({ doctor: { state: 'running' } });
    try {
      set({ doctor: { state: 'done', report: await client.doctor() } });
    } catch (error) {
      const code = error instanceof ApiError ? error.code : 'internal';
      set({
        doctor: {
          state: 'error',
          code,
          message: error instanceof Error ? error.message : String(error),
        },
      });
    }
  },
}));
