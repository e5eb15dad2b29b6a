/**
 * "Start at login": the app starts into the tray (no window) when the user logs in.
 *
 * - Windows: a login item through `app.setLoginItemSettings`, with `--hidden` as its argument
 *   (`getLoginItemSettings` must be asked with the same arguments to find it).
 * - macOS: a login item through `app.setLoginItemSettings`; a login launch is told by
 *   `wasOpenedAtLogin` (Electron 45 has no `openAsHidden` any more, so the app hides itself).
 * - Linux: Electron does nothing there, so an XDG autostart entry,
 *   `$XDG_CONFIG_HOME/autostart/medianest-appliance.desktop` (`~/.config/...` by default), which
 *   GNOME, KDE, Xfce and the other XDG desktops run at login. It starts the AppImage itself
 *   (`$APPIMAGE`), not the executable inside its temporary mount.
 *
 * Only the installed app registers itself: in a development run the executable is the bare
 * Electron binary, which would start without the app, so the setting is unsupported there.
 */
import { join } from 'node:path';

/** The argument a login launch carries (Windows, Linux): start into the tray only. */
export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE = 'medianest-appliance.desktop';

/** The part of Electron's `app` this module uses. */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  getLoginItemSettings(options?: { args?: string[] }): {
    openAtLogin: boolean;
    wasOpenedAtLogin: boolean;
  };
}

/** The file calls the Linux autostart entry needs (`node:fs/promises` fits). */
export interface AutostartFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, options: { mode: number }): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  rm(path: string, options: { force: true }): Promise<void>;
}

export interface LoginItem {
  /** False where start at login cannot be set: a development run, or another platform. */
  readonly supported: boolean;
  /** Whether the app starts at login; false where unsupported. */
  get(): Promise<boolean>;
  /** Registers or removes the login item; rejects where unsupported. */
  set(enabled: boolean): Promise<void>;
}

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  app: LoginItemApp;
  fs: AutostartFs;
  /** The XDG config folder: Electron's `app.getPath('appData')` on Linux. */
  configHome: string;
  /** What the autostart entry runs: `$APPIMAGE` when set, else `process.execPath`. */
  executable: string;
}

/**
 * One argument of a desktop entry's `Exec` key, quoted as the Desktop Entry Specification says:
 * `"`, `` ` ``, `$` and `\` escaped inside double quotes, then `\` escaped again (the string
 * rule), and `%` doubled (field codes).
 */
export function execArgument(arg: string): string {
  // Control characters (a newline above all) would end the key or add another one.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(arg))
    throw new Error('the executable path holds a control character');
  const quoted = arg.replace(/["`$\\]/g, '\\$&');
  return `"${quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%')}"`;
}

/** The autostart entry for `executable`. */
export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=MediaNest Appliance',
    'Comment=Starts MediaNest Appliance in the tray',
    `Exec=${execArgument(executable)} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** An entry is on unless it says `Hidden=true` (the spec's "deleted") or GNOME's disabled key. */
function entryEnabled(text: string): boolean {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  return !lines.includes('Hidden=true') && !lines.includes('X-GNOME-Autostart-enabled=false');
}

const isMissing = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';

export function createLoginItem(deps: LoginItemDeps): LoginItem {
  const { platform, app, fs } = deps;
  const native = platform === 'win32' || platform === 'darwin';
  const supported = deps.isPackaged && (native || platform === 'linux');
  // Windows keys the login item by path and arguments: ask with the same ones.
  const args = platform === 'win32' ? [HIDDEN_FLAG] : undefined;
  const autostartDir = join(deps.configHome, 'autostart');
  const autostartPath = join(autostartDir, AUTOSTART_FILE);

  return {
    supported,
    async get() {
      if (!supported) return false;
      if (native) return app.getLoginItemSettings(args ? { args } : undefined).openAtLogin;
      try {
        return entryEnabled(await fs.readFile(autostartPath, 'utf8'));
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async set(enabled) {
      if (!supported)
        throw new Error(
          deps.isPackaged
            ? `start at login is not supported on ${platform}`
            : 'start at login can be set only in the installed app',
        );
      if (native) {
        app.setLoginItemSettings({ openAtLogin: enabled, ...(args ? { args } : {}) });
      } else if (enabled) {
        await fs.mkdir(autostartDir, { recursive: true });
        await fs.writeFile(autostartPath, autostartEntry(deps.executable), { mode: 0o644 });
      } else {
        await fs.rm(autostartPath, { force: true });
      }
    },
  };
}

/** Whether this launch is a login launch, which starts into the tray without a window. */
export function launchedAtLogin(
  platform: NodeJS.Platform,
  argv: readonly string[],
  app: Pick<LoginItemApp, 'getLoginItemSettings'>,
): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
}
