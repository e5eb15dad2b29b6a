import {
  createApiClient,
  type ApiClient,
  type DesktopBridge,
} from '../../server/src/contract/index.js';

declare global {
  interface Window {
    desktop?: DesktopBridge;
  }
}

/** The typed client for this page: same origin, with the desktop shell's token when there is one. */
export async function connectApi(): Promise<{ client: ApiClient; signedIn: boolean }> {
  const token = window.desktop ? await window.desktop.getToken() : undefined;
  return { client: createApiClient(token ? { token } : {}), signedIn: token !== undefined };
}
