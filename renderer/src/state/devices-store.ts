import { create } from 'zustand';
import { messageOf, type ApiClient, type Device } from '@contract';

export interface PairingCode {
  code: string;
  expiresAt: string;
  fingerprint: string;
}

interface DevicesState {
  devices: Device[] | undefined;
  code: PairingCode | undefined;
  error: string | undefined;
  /** The device whose revocation waits for a yes. */
  asking: Device | undefined;
  load: (client: ApiClient) => Promise<void>;
  newCode: (client: ApiClient) => Promise<void>;
  ask: (device: Device | undefined) => void;
  revoke: (client: ApiClient, id: string) => Promise<void>;
}

/** The paired devices panel's state: the list, a fresh pairing code, a revocation being asked. */
export const useDevicesStore = create<DevicesState>((set, get) => ({
  devices: undefined,
  code: undefined,
  error: undefined,
  asking: undefined,
  load: async (client) => {
    try {
      set({ devices: (await client.devices()).devices });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  },
  newCode: async (client) => {
    set({ error: undefined });
    try {
      set({ code: await client.pairingCode() });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  },
  ask: (device) => set({ asking: device }),
  revoke: async (client, id) => {
    set({ asking: undefined, error: undefined });
    try {
      await client.revokeDevice({ id });
      await get().load(client);
    } catch (error) {
      set({ error: messageOf(error) });
    }
  },
}));
