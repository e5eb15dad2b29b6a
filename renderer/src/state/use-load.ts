import { useEffect } from 'react';
import type { ApiClient } from '@contract';

/**
 * Loads a panel's data from the server when the panel shows, and again with a new client (the
 * store's own load action, which keeps its state and errors).
 */
export function useLoad(client: ApiClient, load: (client: ApiClient) => Promise<unknown>): void {
  useEffect(() => {
    void load(client);
  }, [client, load]);
}
