/**
 * The main-process end of the DesktopBridge (server/src/contract/desktop.ts). Every handler first
 * checks that the call comes from our window's main frame at the app's origin; anything else is
 * rejected before it reaches the handler.
 */
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import type { DesktopBridge, DockerInstallResult } from '../../server/src/contract/desktop.js';
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
  installDocker: 'desktop:install-docker',
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
  /** Folders whose contents the window may reveal without a dialog: the appliance home. */
  revealRoots: () => readonly string[];
  /** The open window, if any: calls from anywhere else are refused. */
  window: () => W | undefined;
  appUrl: string;
  token: string;
  version: string;
  /** Start at login (login-item.ts). */
  startAtLogin: { get(): Promise<boolean>; set(enabled: boolean): Promise<void> };
  /** Runs this machine's Docker install plan behind the OS's password prompt (docker-setup-wiring). */
  installDocker: () => Promise<DockerInstallResult>;
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

/** True when `path` is `root` or inside it (both absolute; `..` already resolved). */
function within(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * What the window may show in the file manager: anything inside the appliance home, a folder the
 * user chose in a dialog (and what is inside it), or a file they chose to save. A renderer taken
 * over by a script cannot point the file manager anywhere else.
 */
function revealPolicy(roots: () => readonly string[]) {
  const folders = new Set<string>();
  const files = new Set<string>();
  return {
    chose(kind: 'folder' | 'file', path: string | undefined): string | undefined {
      if (path !== undefined) (kind === 'folder' ? folders : files).add(resolve(path));
      return path;
    },
    allows(path: string): boolean {
      const target = resolve(path);
      if (files.has(target)) return true;
      return [...roots(), ...folders].some((root) => within(target, resolve(root)));
    },
  };
}

export function registerIpc<W extends AppWindow>(deps: IpcDeps<W>): void {
  const reveal = revealPolicy(deps.revealRoots);
  // A second click while the password prompt is open joins the run instead of starting another.
  let installing: Promise<DockerInstallResult> | undefined;
  const handlers: Handlers<W> = {
    getToken: () => deps.token,
    version: () => deps.version,
    chooseFolder: async (window, title) =>
      reveal.chose('folder', await deps.dialogs.chooseFolder(window, text(title, 'title', 200))),
    // Only a file name: the renderer suggests what to call the file, never where to put it.
    saveFile: async (window, name) =>
      reveal.chose('file', await deps.dialogs.saveFile(window, basename(text(name, 'name', 255)))),
    revealInFolder: (_window, path) => {
      const target = text(path, 'path', 4096);
      if (!isAbsolute(target)) throw new Error('path must be absolute');
      if (!reveal.allows(target))
        throw new Error('path must be inside the appliance home or chosen in a dialog');
      deps.showItemInFolder(resolve(target));
    },
    getStartAtLogin: () => deps.startAtLogin.get(),
    setStartAtLogin: (_window, enabled) => {
      if (typeof enabled !== 'boolean') throw new Error('enabled must be a boolean');
      return deps.startAtLogin.set(enabled);
    },
    // Takes nothing from the page: the main process works out what runs as root.
    installDocker: () =>
      (installing ??= deps.installDocker().finally(() => (installing = undefined))),
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
