import { describe, expect, it, vi } from 'vitest';
import {
  AlertRaisedSchema,
  DesktopEventSchema,
  TrayChangedSchema,
  type TrayChanged,
  type TrayState,
} from '../../server/src/contract/tray.js';
import {
  createTray,
  TRAY_STATES,
  stackUpdatesLabel,
  trayIconPath,
  trayMenu,
  trayTooltip,
  type TrayActions,
  type TrayMenuItem,
} from './tray.js';

const actions = (): TrayActions => ({
  openWindow: vi.fn(),
  startStack: vi.fn(),
  stopStack: vi.fn(),
  backUpNow: vi.fn(),
  openMediaNest: vi.fn(),
  openAppliance: vi.fn(),
  openUpdates: vi.fn(),
  installUpdate: vi.fn(),
  setStartAtLogin: vi.fn(),
  quit: vi.fn(),
});

const status = (state: TrayState, extra: Partial<TrayChanged> = {}): TrayChanged => ({
  type: 'tray.changed',
  state,
  tooltip: `MediaNest: ${state}`,
  problems: [],
  ...extra,
});

const item = (menu: TrayMenuItem[], label: string | RegExp) =>
  menu.find((entry) => entry.label !== undefined && entry.label.match(label) !== null);

function fakeSurface() {
  const tray = {
    image: '',
    tooltip: '',
    menu: [] as TrayMenuItem[],
    setImage(path: string) {
      this.image = path;
    },
    setToolTip(text: string) {
      this.tooltip = text;
    },
    setContextMenu(menu: TrayMenuItem[]) {
      this.menu = menu;
    },
    destroy: vi.fn(),
  };
  return {
    tray,
    surface: {
      createTray: (path: string) => {
        tray.image = path;
        return tray;
      },
      buildMenu: (template: TrayMenuItem[]) => template,
    },
  };
}

describe('the tray', () => {
  it.each(TRAY_STATES)('shows the %s icon, tooltip and summary for that state', (state) => {
    const { tray, surface } = fakeSurface();
    const appTray = createTray({ surface, iconDir: '/app/build/tray', actions: actions() });
    appTray.update(status(state));
    expect(tray.image).toBe(`/app/build/tray/${state}.png`);
    expect(tray.tooltip).toBe(`MediaNest: ${state}`);
    expect(item(tray.menu, new RegExp(`MediaNest (is|status) ${state}`))?.enabled).toBe(false);
  });

  it('has an icon file for every state', async () => {
    const { existsSync } = await import('node:fs');
    const dir = new URL('../../build/tray', import.meta.url).pathname;
    for (const state of TRAY_STATES) {
      expect(existsSync(trayIconPath(dir, state))).toBe(true);
      expect(existsSync(trayIconPath(dir, state).replace('.png', '@2x.png'))).toBe(true);
    }
  });

  it('starts unknown until the first event arrives', () => {
    const { tray, surface } = fakeSurface();
    createTray({ surface, iconDir: '/icons', actions: actions() });
    expect(tray.image).toBe('/icons/unknown.png');
  });

  it('offers open, status, start/stop, back up, open in browser and quit', () => {
    const menu = trayMenu(status('degraded'), actions());
    expect(menu.filter((entry) => entry.type !== 'separator').map((entry) => entry.label)).toEqual([
      'Open MediaNest Appliance',
      'MediaNest is degraded',
      'Start stack',
      'Stop stack',
      'Back up now',
      'Open MediaNest in the browser',
      'Quit MediaNest Appliance',
    ]);
  });

  it('enables start when not healthy and stop when not down', () => {
    const healthy = trayMenu(status('healthy'), actions());
    const down = trayMenu(status('down'), actions());
    expect([item(healthy, 'Start stack')?.enabled, item(healthy, 'Stop stack')?.enabled]).toEqual([
      false,
      true,
    ]);
    expect([item(down, 'Start stack')?.enabled, item(down, 'Stop stack')?.enabled]).toEqual([
      true,
      false,
    ]);
  });

  it('wires each item to its action', () => {
    const act = actions();
    const menu = trayMenu(status('unknown', { mediaNestUrl: 'https://media.example.net' }), act);
    item(menu, 'Open MediaNest Appliance')?.click?.();
    item(menu, 'Start stack')?.click?.();
    item(menu, 'Stop stack')?.click?.();
    item(menu, 'Open MediaNest in the browser')?.click?.();
    item(menu, /^Quit/)?.click?.();
    expect(act.openWindow).toHaveBeenCalledOnce();
    expect(act.startStack).toHaveBeenCalledOnce();
    expect(act.stopStack).toHaveBeenCalledOnce();
    expect(act.openMediaNest).toHaveBeenCalledWith('https://media.example.net');
    expect(act.quit).toHaveBeenCalledOnce();
  });

  it('offers "Back up now" while the stack runs, and starts the backup job', () => {
    const act = actions();
    const running = trayMenu(status('degraded'), act);
    expect(item(running, 'Back up now')?.enabled).toBe(true);
    item(running, 'Back up now')?.click?.();
    expect(act.backUpNow).toHaveBeenCalledOnce();
    expect(item(trayMenu(status('down'), act), 'Back up now')?.enabled).toBe(false);
    expect(item(trayMenu(status('unknown'), act), 'Back up now')?.enabled).toBe(false);
  });

  it('disables "open in the browser" until the server knows MediaNest\'s URL', () => {
    expect(item(trayMenu(status('down'), actions()), /in the browser/)?.enabled).toBe(false);
  });

  it('lists the problems under the summary, at most five', () => {
    const problems = ['postgres is unhealthy', 'redis restarted 3 times', 'a', 'b', 'c', 'd', 'e'];
    const menu = trayMenu(status('degraded', { problems }), actions());
    const labels = menu.map((entry) => entry.label?.trim());
    expect(labels).toContain('postgres is unhealthy');
    expect(labels).toContain('and 2 more');
    expect(labels).not.toContain('d');
  });

  it('shows a ready update in the menu, which installs it', () => {
    const act = actions();
    const { tray, surface } = fakeSurface();
    const appTray = createTray({ surface, iconDir: '/icons', actions: act });
    expect(item(tray.menu, /Restart to install/)).toBeUndefined();
    appTray.setUpdateReady('0.2.0');
    item(tray.menu, 'Restart to install version 0.2.0')?.click?.();
    expect(act.installUpdate).toHaveBeenCalledOnce();
  });

  it('says when the ready update waits for a job, and offers no restart meanwhile', () => {
    const act = actions();
    const { tray, surface } = fakeSurface();
    const appTray = createTray({ surface, iconDir: '/icons', actions: act });
    appTray.setUpdateReady('0.2.0', 'a backup');
    const waiting = item(tray.menu, /^Version 0\.2\.0/);
    expect(waiting).toMatchObject({
      label: 'Version 0.2.0 installs when a backup has finished',
      enabled: false,
    });
    expect(item(tray.menu, /Restart to install/)).toBeUndefined();
    appTray.setUpdateReady('0.2.0');
    expect(item(tray.menu, 'Restart to install version 0.2.0')).toBeDefined();
  });

  it('shows stack updates on offer under the status, opening the dashboard, and drops the entry when none is left', () => {
    const act = actions();
    const { tray, surface } = fakeSurface();
    const appTray = createTray({ surface, iconDir: '/icons', actions: act });
    expect(item(tray.menu, /available/)).toBeUndefined();
    appTray.setStackUpdates(['backend v2']);
    const entry = item(tray.menu, 'Update available: backend v2');
    expect(tray.menu.indexOf(entry!)).toBe(
      tray.menu.findIndex((e) => e.label === 'MediaNest status unknown') + 1,
    );
    entry?.click?.();
    expect(act.openUpdates).toHaveBeenCalledOnce();
    appTray.setStackUpdates([]);
    expect(item(tray.menu, /available/)).toBeUndefined();
  });

  it('with appliances paired, shows the worst state of all and lists each, opening it', () => {
    const act = actions();
    const { tray, surface } = fakeSurface();
    const appTray = createTray({ surface, iconDir: '/icons', actions: act });
    appTray.update(status('healthy'));
    appTray.overall({
      type: 'tray.overall',
      state: 'degraded',
      tooltip: 'MediaNest: this computer healthy; Attic NAS degraded',
      appliances: [
        { id: 'nas', name: 'Attic NAS', state: 'degraded' },
        { id: 'pi', name: 'Pi', state: 'unknown', problem: 'ECONNREFUSED' },
      ],
    });
    expect(tray.image).toBe('/icons/degraded.png');
    expect(tray.tooltip).toBe('MediaNest: this computer healthy; Attic NAS degraded');
    // This computer's own summary and actions stay its own.
    expect(item(tray.menu, 'MediaNest is healthy')).toBeDefined();
    expect(item(tray.menu, 'Stop stack')?.enabled).toBe(true);
    expect(item(tray.menu, 'Pi: not reachable')).toBeDefined();
    item(tray.menu, 'Attic NAS: degraded')?.click?.();
    expect(act.openAppliance).toHaveBeenCalledWith('nas');
    // Forgotten again: this computer's icon and no appliance lines.
    appTray.overall({ type: 'tray.overall', state: 'healthy', tooltip: 'x', appliances: [] });
    expect(tray.image).toBe('/icons/healthy.png');
    expect(item(tray.menu, /Attic NAS/)).toBeUndefined();
  });

  it('names several stack updates on one line, at most three', () => {
    expect(stackUpdatesLabel(['backend v2', 'frontend v2'])).toBe(
      'Updates available: backend v2, frontend v2',
    );
    expect(stackUpdatesLabel(['a 1', 'b 2', 'c 3', 'd 4', 'e 5'])).toBe(
      'Updates available: a 1, b 2, c 3 and 2 more',
    );
  });

  it('shows "Start at login" as a checkbox once known, which toggles it', () => {
    const act = actions();
    const { tray, surface } = fakeSurface();
    const appTray = createTray({ surface, iconDir: '/icons', actions: act });
    expect(item(tray.menu, 'Start at login')).toBeUndefined();
    appTray.setStartAtLogin(false);
    const off = item(tray.menu, 'Start at login');
    expect(off).toMatchObject({ type: 'checkbox', checked: false });
    off?.click?.();
    expect(act.setStartAtLogin).toHaveBeenLastCalledWith(true);
    appTray.setStartAtLogin(true);
    const on = item(tray.menu, 'Start at login');
    expect(on?.checked).toBe(true);
    on?.click?.();
    expect(act.setStartAtLogin).toHaveBeenLastCalledWith(false);
    appTray.setStartAtLogin(undefined);
    expect(item(tray.menu, 'Start at login')).toBeUndefined();
  });

  it('cuts tooltips to the 127 characters Windows shows', () => {
    expect(trayTooltip('x'.repeat(300))).toHaveLength(127);
    expect(trayTooltip('short')).toBe('short');
  });
});

describe('the desktop events of the contract', () => {
  it('accepts a tray change and an alert, and ignores other events', () => {
    expect(DesktopEventSchema.safeParse(status('healthy')).success).toBe(true);
    expect(DesktopEventSchema.safeParse({ type: 'job.finished', jobId: 'j' }).success).toBe(false);
  });

  it('refuses a MediaNest URL that is not http(s), and an alert page on another origin', () => {
    expect(
      TrayChangedSchema.safeParse(status('healthy', { mediaNestUrl: 'javascript:alert(1)' }))
        .success,
    ).toBe(false);
    expect(
      TrayChangedSchema.safeParse(status('healthy', { mediaNestUrl: 'https://media.example' }))
        .success,
    ).toBe(true);
    const alert = {
      type: 'alert.raised',
      alertId: 'a',
      severity: 'warning',
      title: 't',
      message: 'm',
    };
    expect(AlertRaisedSchema.safeParse({ ...alert, page: '/services' }).success).toBe(true);
    for (const page of ['//evil.example/', 'https://evil.example/', '/\\evil.example'])
      expect(AlertRaisedSchema.safeParse({ ...alert, page }).success).toBe(false);
  });
});
