/**
 * The one app window: the Electron security checklist, navigation locked to the app's origin and
 * external links opened only when the app built them.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** The part of a BrowserWindow's webContents this module uses. */
export interface WindowContents {
  on(event: 'will-navigate', listener: (event: Preventable, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: Preventable, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  readonly session: {
    setPermissionRequestHandler(
      handler: (
        contents: unknown,
        permission: string,
        callback: (granted: boolean) => void,
      ) => void,
    ): void;
    setPermissionCheckHandler(
      handler: (contents: unknown, permission: string, requestingOrigin: string) => boolean,
    ): void;
  };
  readonly mainFrame: unknown;
}

export interface Preventable {
  preventDefault(): void;
}

/** The part of a BrowserWindow this module (and ipc.ts) uses. */
export interface AppWindow {
  readonly webContents: WindowContents;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

/** The Electron security checklist, in one place so a test can read it. */
export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'MediaNest Appliance',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** True when `candidate` is on the same origin as `appUrl`. */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  try {
    return new URL(candidate).origin === new URL(appUrl).origin;
  } catch {
    return false;
  }
}

/**
 * Opens `url` in the user's browser only when it is http(s), carries no credentials and its origin
 * is one the app built (its own, or MediaNest's as the server reported it). Everything else,
 * `file:`, `javascript:`, `data:` and any other origin included, is refused: returns false.
 */
export function createExternalOpener(deps: {
  openExternal: (url: string) => Promise<void>;
  allowedOrigins: () => readonly string[];
  log: (message: string) => void;
}): (url: string) => boolean {
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      deps.log(`refused to open a malformed URL`);
      return false;
    }
    const allowed = new Set(deps.allowedOrigins().map((origin) => new URL(origin).origin));
    const ok =
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      parsed.username === '' &&
      parsed.password === '' &&
      allowed.has(parsed.origin);
    if (!ok) {
      deps.log(`refused to open ${parsed.protocol} URL outside the app's origins`);
      return false;
    }
    deps.openExternal(parsed.href).catch((error: unknown) => deps.log(String(error)));
    return true;
  };
}

/**
 * The UI needs no permission at all (camera, microphone, geolocation, notifications, clipboard
 * reads, HID, serial...): every request is refused, and every check (which a page makes without
 * asking, e.g. `navigator.permissions.query`, and which Electron otherwise answers with yes) says
 * no. Notifications come from the main process, which needs no permission.
 */
export function denyPermissions(session: WindowContents['session']): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export interface WindowManager<W extends AppWindow = AppWindow> {
  /** Shows the window, creating it when closed, restoring it when minimised. */
  show(): void;
  /** Shows the window on `path` (a path inside the app, e.g. `/services`). */
  openPage(path: string): void;
  /** The window while it is open. */
  current(): W | undefined;
}

/**
 * Keeps at most one window. Closing it only closes it: the tray and the server stay (lifecycle.ts).
 */
export function createWindowManager<W extends AppWindow>(deps: {
  createWindow: (options: BrowserWindowConstructorOptions) => W;
  preloadPath: string;
  appUrl: string;
  openExternal: (url: string) => boolean;
  log: (message: string) => void;
}): WindowManager<W> {
  let window: W | undefined;

  const load = (win: AppWindow, url: string): void => {
    win
      .loadURL(url)
      .catch((error: unknown) => deps.log(`the window could not load: ${String(error)}`));
  };

  const open = (url: string): W => {
    const win = deps.createWindow(secureWindowOptions(deps.preloadPath));
    const lock = (event: Preventable, target: string): void => {
      if (isAppUrl(target, deps.appUrl)) return;
      event.preventDefault();
      deps.log('refused a navigation away from the app');
    };
    win.webContents.on('will-navigate', lock);
    win.webContents.on('will-redirect', lock);
    // No new windows ever: an http(s) link the app built opens in the browser, the rest nowhere.
    win.webContents.setWindowOpenHandler(({ url: target }) => {
      deps.openExternal(target);
      return { action: 'deny' };
    });
    denyPermissions(win.webContents.session);
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (window === win) window = undefined;
    });
    window = win;
    load(win, url);
    return win;
  };

  const reveal = (win: AppWindow): void => {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  return {
    show() {
      if (window) reveal(window);
      else open(deps.appUrl);
    },
    openPage(path) {
      const target = new URL(path, deps.appUrl).href;
      if (!isAppUrl(target, deps.appUrl)) {
        deps.log('refused to open a page outside the app');
        return;
      }
      if (!window) {
        open(target);
        return;
      }
      load(window, target);
      reveal(window);
    },
    current: () => window,
  };
}
