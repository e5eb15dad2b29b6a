import { createApiClient, type ApiClient, type DesktopBridge } from '@contract';

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
 * The typed client for this page: same origin, with the desktop shell's token when there is one.
 * A plain browser sends its session cookie instead (same-origin fetch); whether it has a valid one
 * is the server's answer to `client.authSession()`.
 */
export async function connectApi(): Promise<ApiConnection> {
  const token = window.desktop ? await window.desktop.getToken() : undefined;
  return {
    client: createApiClient(token ? { token } : {}),
    hasToken: token !== undefined,
    token,
  };
}
