import { createApiClient, type ApiClient, type DesktopBridge } from '@contract';
import { apiBase } from './target';

declare global {
  interface Window {
    desktop?: DesktopBridge;
  }
}

export interface ApiConnection {
  client: ApiClient;
  /** True when the desktop shell handed over the token: no sign-in needed. */
  hasToken: boolean;
  /** The desktop shell's token, for the streams the typed client does not cover (events, logs). */
  token: string | undefined;
}

/**
 * The typed client for this page: same origin, for the appliance this tab manages (target.ts), with
 * the desktop shell's token when there is one.
 * A plain browser sends its session cookie instead (same-origin fetch); whether it has a valid one
 * is the server's answer to `client.authSession()`.
 */
export async function connectApi(): Promise<ApiConnection> {
  const token = window.desktop ? await window.desktop.getToken() : undefined;
  return {
    client: createApiClient({ baseUrl: apiBase(), ...(token ? { token } : {}) }),
    hasToken: token !== undefined,
    token,
  };
}

/** The client for this computer's own server, whichever appliance the tab manages (the switcher). */
export async function connectLocalApi(): Promise<ApiClient> {
  const token = window.desktop ? await window.desktop.getToken() : undefined;
  return createApiClient(token ? { token } : {});
}
