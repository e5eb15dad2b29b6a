/**
 * The main-process end of the DesktopBridge (server/src/contract/desktop.ts). Every handler first
 * checks that the call comes from our window's main frame at the app's origin; anything else is
 * rejected before it reaches the handler.
 */
import { basename, isAbsolute } from 'node:path';
import type { DesktopBridge } from '../../server/src/contract/desktop.js';
import { isAppUrl, type AppWindow } from './window.js';

/**
 * The channel of each bridge method. The sandboxed preload cannot import this file at run time, so it
 * writes the names again, typed by `DesktopChannels`: a mismatch fails the typecheck.
 */
export const DESKTOP_CHANNELS = {
  getToken: 'desktop:get-token',
  chooseFolder: 'desktop:choose-folder',
  saveFile: 'desktop:save-file',
  revealInFolder: 'desktop:reveal',
  version: 'desktop:version',
  getStartAtLogin: 'desktop:get-start-at-login',
  setStartAtLogin: 'desktop:set-start-at-login',
} as const satisfies Record<keyof DesktopBridge, string>;
export type DesktopChannels = typeof DESKTOP_CHANNELS;

/** What an `ipcMain.handle` listener receives about its caller. */
export interface InvokeEvent {
  readonly sender: unknown;
  readonly senderFrame: { readonly url: string } | null;
}

export interface IpcSurface {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
}

/** Native dialogs, narrowed to the calls the bridge makes. */
export interface DialogSurface<W> {
  chooseFolder(window: W, title: string): Promise<string | undefined>;
  saveFile(window: W, suggestedName: string): Promise<string | undefined>;
}

export interface IpcDeps<W extends AppWindow> {
  ipcMain: IpcSurface;
  dialogs: DialogSurface<W>;
  showItemInFolder: (path: string) => void;
  /** The open window, if any: calls from anywhere else are refused. */
  window: () => W | undefined;
  appUrl: string;
  token: string;
  version: string;
  /** Start at login (login-item.ts). */
  startAtLogin: { get(): Promise<boolean>; set(enabled: boolean): Promise<void> };
}

type Handlers<W> = {
  [K in keyof DesktopBridge]: (
    window: W,
    ...args: unknown[]
  ) => ReturnType<DesktopBridge[K]> | Awaited<ReturnType<DesktopBridge[K]>>;
};

/** True when `event` comes from the main frame of our window, showing the app's origin. */
export function fromOurWindow(event: InvokeEvent, window: AppWindow | undefined, appUrl: string) {
  return (
    window !== undefined &&
    event.sender === window.webContents &&
    event.senderFrame !== null &&
    event.senderFrame === window.webContents.mainFrame &&
    isAppUrl(event.senderFrame.url, appUrl)
  );
}

function text(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw new Error(`${name} must be a non-empty string of at most ${max} characters`);
  return value;
}

export function registerIpc<W extends AppWindow>(deps: IpcDeps<W>): void {
  const handlers: Handlers<W> = {
    getToken: () => deps.token,
    version: () => deps.version,
    chooseFolder: (window, title) => deps.dialogs.chooseFolder(window, text(title, 'title', 200)),
    // Only a file name: the renderer suggests what to call the file, never where to put it.
    saveFile: (window, name) => deps.dialogs.saveFile(window, basename(text(name, 'name', 255))),
    revealInFolder: (_window, path) => {
      const target = text(path, 'path', 4096);
      if (!isAbsolute(target)) throw new Error('path must be absolute');
      deps.showItemInFolder(target);
    },
    getStartAtLogin: () => deps.startAtLogin.get(),
    setStartAtLogin: (_window, enabled) => {
      if (typeof enabled !== 'boolean') throw new Error('enabled must be a boolean');
      return deps.startAtLogin.set(enabled);
    },
  };
  for (const name of Object.keys(DESKTOP_CHANNELS) as (keyof DesktopBridge)[]) {
    const handler = handlers[name];
    deps.ipcMain.handle(DESKTOP_CHANNELS[name], async (event, ...args) => {
      const window = deps.window();
      if (!window || !fromOurWindow(event, window, deps.appUrl))
        throw new Error(`refused: ${name} was called from outside the app's window`);
      return handler(window, ...args);
    });
  }
}
