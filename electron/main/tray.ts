/**
 * The tray: an icon per state (from the server's `tray.changed` event), its tooltip, and a menu.
 * It holds no state of its own beyond the last event, the stack updates on offer, whether an update
 * of the app is ready (or waits for a job) and whether the app starts at login.
 */
import { join } from 'node:path';
import type { TrayChanged, TrayOverall, TrayState } from '../../server/src/contract/tray.js';

/** A menu item as Electron's `Menu.buildFromTemplate` takes it, narrowed to what the tray uses. */
export interface TrayMenuItem {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

export interface TrayIcon<M> {
  setImage(path: string): void;
  setToolTip(text: string): void;
  setContextMenu(menu: M): void;
  destroy(): void;
}

export interface TraySurface<M> {
  createTray(iconPath: string): TrayIcon<M>;
  buildMenu(template: TrayMenuItem[]): M;
}

export interface TrayActions {
  openWindow: () => void;
  startStack: () => void;
  stopStack: () => void;
  /** Takes a manual backup (the server's backup job; a busy server says so in a notice). */
  backUpNow: () => void;
  openMediaNest: (url: string) => void;
  /** Opens the window on a paired appliance. */
  openAppliance: (id: string) => void;
  /** Opens the dashboard, where the update card is. */
  openUpdates: () => void;
  installUpdate: () => void;
  /** The "Start at login" checkbox was clicked: turn it to `enabled`. */
  setStartAtLogin: (enabled: boolean) => void;
  quit: () => void;
}

/** What the menu shows besides the status. */
export interface TrayExtras {
  /** The version of a downloaded update, ready to install. */
  updateReady?: string;
  /** The job the ready update waits for ("a backup"): it installs once that has finished. */
  updateWaitsFor?: string;
  /** Newer images for the stack, e.g. "backend v2" (stack-updates.ts); none: no entry. */
  stackUpdates?: string[];
  /** Start at login, on or off; no checkbox while undefined (unsupported, or not read yet). */
  startAtLogin?: boolean;
  /** The paired appliances, each on its own line (issue 21 §3). */
  appliances?: TrayOverall['appliances'];
}

export const TRAY_STATES: readonly TrayState[] = ['healthy', 'degraded', 'down', 'unknown'];

/** `build/tray/<state>.png` (16 px); Electron picks `<state>@2x.png` (32 px) on HiDPI screens. */
export function trayIconPath(dir: string, state: TrayState): string {
  return join(dir, `${state}.png`);
}

const APPLIANCE_STATE: Record<TrayState, string> = {
  healthy: 'healthy',
  degraded: 'degraded',
  down: 'down',
  unknown: 'cannot be reached or unknown',
};

const STATE_LABEL: Record<TrayState, string> = {
  healthy: 'MediaNest is healthy',
  degraded: 'MediaNest is degraded',
  down: 'MediaNest is down',
  unknown: 'MediaNest status unknown',
};

/** Windows truncates tray tooltips at 127 characters; cut them ourselves, visibly. */
export function trayTooltip(text: string): string {
  return text.length <= 127 ? text : `${text.slice(0, 126)}…`;
}

const MAX_PROBLEMS = 5;
const MAX_STACK_UPDATES = 3;

/** "Update available: backend v2"; several on one line, the rest counted. */
export function stackUpdatesLabel(updates: readonly string[]): string {
  const shown = updates.slice(0, MAX_STACK_UPDATES).join(', ');
  const more =
    updates.length > MAX_STACK_UPDATES ? ` and ${updates.length - MAX_STACK_UPDATES} more` : '';
  return `${updates.length === 1 ? 'Update' : 'Updates'} available: ${shown}${more}`;
}

/** The menu for `status`: pure, so a test can read it item by item. */
export function trayMenu(
  status: TrayChanged,
  actions: TrayActions,
  extras: TrayExtras = {},
): TrayMenuItem[] {
  const { mediaNestUrl } = status;
  const { updateReady, updateWaitsFor, startAtLogin, stackUpdates = [], appliances = [] } = extras;
  const problems = status.problems
    .slice(0, MAX_PROBLEMS)
    .map((problem): TrayMenuItem => ({ label: `  ${problem}`, enabled: false }));
  if (status.problems.length > MAX_PROBLEMS)
    problems.push({ label: `  and ${status.problems.length - MAX_PROBLEMS} more`, enabled: false });
  return [
    { label: 'Open MediaNest Appliance', click: actions.openWindow },
    { type: 'separator' },
    { label: STATE_LABEL[status.state], enabled: false },
    ...problems,
    ...(stackUpdates.length > 0
      ? [{ label: stackUpdatesLabel(stackUpdates), click: actions.openUpdates }]
      : []),
    ...(appliances.length > 0
      ? [
          { type: 'separator' } as const,
          ...appliances.map((a): TrayMenuItem => ({
            label: `${a.name}: ${a.state === 'unknown' && a.problem ? 'not reachable' : APPLIANCE_STATE[a.state]}`,
            click: () => actions.openAppliance(a.id),
          })),
        ]
      : []),
    { type: 'separator' },
    { label: 'Start stack', enabled: status.state !== 'healthy', click: actions.startStack },
    { label: 'Stop stack', enabled: status.state !== 'down', click: actions.stopStack },
    // A backup needs the stack's database: nothing to back up while it is down or unknown.
    {
      label: 'Back up now',
      enabled: status.state === 'healthy' || status.state === 'degraded',
      click: actions.backUpNow,
    },
    {
      label: 'Open MediaNest in the browser',
      enabled: mediaNestUrl !== undefined,
      ...(mediaNestUrl !== undefined ? { click: () => actions.openMediaNest(mediaNestUrl) } : {}),
    },
    { type: 'separator' },
    ...(updateReady !== undefined
      ? [
          updateWaitsFor === undefined
            ? { label: `Restart to install version ${updateReady}`, click: actions.installUpdate }
            : {
                label: `Version ${updateReady} installs when ${updateWaitsFor} has finished`,
                enabled: false,
              },
          { type: 'separator' } as const,
        ]
      : []),
    ...(startAtLogin !== undefined
      ? [
          {
            label: 'Start at login',
            type: 'checkbox',
            checked: startAtLogin,
            click: () => actions.setStartAtLogin(!startAtLogin),
          } as const,
        ]
      : []),
    { label: 'Quit MediaNest Appliance', click: actions.quit },
  ];
}

export interface AppTray {
  /** Shows a new status of this computer (a `tray.changed` event). */
  update(status: TrayChanged): void;
  /** The icon and tooltip across this computer and the paired appliances (`tray.overall`). */
  overall(overall: TrayOverall): void;
  /**
   * Shows "Restart to install version X" in the menu; with `waitsFor`, that it installs once that
   * job has finished.
   */
  setUpdateReady(version: string, waitsFor?: string): void;
  /** Shows the stack updates on offer (none: no entry). */
  setStackUpdates(updates: string[]): void;
  /** Shows the "Start at login" checkbox, ticked or not; undefined hides it. */
  setStartAtLogin(enabled: boolean | undefined): void;
  destroy(): void;
}

export const INITIAL_TRAY_STATUS: TrayChanged = {
  type: 'tray.changed',
  state: 'unknown',
  tooltip: 'MediaNest Appliance: waiting for the first health check',
  problems: [],
};

export function createTray<M>(deps: {
  surface: TraySurface<M>;
  iconDir: string;
  actions: TrayActions;
}): AppTray {
  let status = INITIAL_TRAY_STATUS;
  let across: TrayOverall | undefined;
  const extras: TrayExtras = {};
  const tray = deps.surface.createTray(trayIconPath(deps.iconDir, status.state));
  const render = (): void => {
    // With appliances paired, the icon is the worst of all of them; else this computer's.
    const shown = across && across.appliances.length > 0 ? across : status;
    tray.setImage(trayIconPath(deps.iconDir, shown.state));
    tray.setToolTip(trayTooltip(shown.tooltip));
    tray.setContextMenu(deps.surface.buildMenu(trayMenu(status, deps.actions, extras)));
  };
  render();
  return {
    update(next) {
      status = next;
      render();
    },
    overall(next) {
      across = next;
      extras.appliances = next.appliances;
      render();
    },
    setUpdateReady(version, waitsFor) {
      extras.updateReady = version;
      if (waitsFor === undefined) delete extras.updateWaitsFor;
      else extras.updateWaitsFor = waitsFor;
      render();
    },
    setStackUpdates(updates) {
      extras.stackUpdates = updates;
      render();
    },
    setStartAtLogin(enabled) {
      extras.startAtLogin = enabled;
      render();
    },
    destroy: () => tray.destroy(),
  };
}
