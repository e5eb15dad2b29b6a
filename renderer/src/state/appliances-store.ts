import { create } from 'zustand';
import { messageOf, type ApiClient, type Appliance, type NearbyAppliance } from '@contract';
import { connectLocalApi } from '../api';
import { fieldErrorsOf, type FieldErrors } from './settings-store-form';

export interface NewAppliance {
  address: string;
  code: string;
  name: string;
}

interface AppliancesState {
  /** This computer's paired appliances (from its own server, whichever one the tab manages). */
  appliances: Appliance[] | undefined;
  error: string | undefined;
  fieldErrors: FieldErrors;
  adding: boolean;
  /** The appliance whose removal waits for a yes. */
  asking: Appliance | undefined;
  /** What the LAN answered (DNS-SD), after `lookNearby`. */
  nearby: { found: NearbyAppliance[]; interfaces: number; disabled?: boolean } | undefined;
  looking: boolean;
  load: () => Promise<void>;
  lookNearby: () => Promise<void>;
  add: (input: NewAppliance) => Promise<Appliance | undefined>;
  ask: (appliance: Appliance | undefined) => void;
  remove: (id: string) => Promise<{ revoked: boolean } | undefined>;
}

let local: Promise<ApiClient> | undefined;
const client = (): Promise<ApiClient> => (local ??= connectLocalApi());

/** The paired appliances (issue 21 §2-3): the switcher's list and the Add an appliance form. */
export const useAppliancesStore = create<AppliancesState>((set, get) => ({
  appliances: undefined,
  error: undefined,
  fieldErrors: {},
  adding: false,
  asking: undefined,
  nearby: undefined,
  looking: false,
  lookNearby: async () => {
    set({ looking: true, error: undefined });
    try {
      const { nearby, interfaces, disabled } = await (await client()).nearbyAppliances();
      set({ nearby: { found: nearby, interfaces, ...(disabled ? { disabled } : {}) } });
    } catch (error) {
      set({ error: messageOf(error) });
    } finally {
      set({ looking: false });
    }
  },
  load: async () => {
    try {
      set({ appliances: (await (await client()).appliances()).appliances });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  },
  add: async (input) => {
    set({ adding: true, error: undefined, fieldErrors: {} });
    try {
      const name = input.name.trim();
      const added = await (
        await client()
      ).addAppliance({ address: input.address, code: input.code, ...(name ? { name } : {}) });
      await get().load();
      return added;
    } catch (error) {
      const fields = fieldErrorsOf(error);
      set(fields ? { fieldErrors: fields } : { error: messageOf(error) });
      return undefined;
    } finally {
      set({ adding: false });
    }
  },
  ask: (appliance) => set({ asking: appliance }),
  remove: async (id) => {
    set({ asking: undefined, error: undefined });
    try {
      const removed = await (await client()).removeAppliance({ id });
      await get().load();
      return removed;
    } catch (error) {
      set({ error: messageOf(error) });
      return undefined;
    }
  },
}));
