/**
 * The composition in index.ts, run with the real server and a fake `electron` module: the window
 * loads the server, the bridge answers only our window, the tray shows the stack updates on offer,
 * and quitting stops the server.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../server/src/infra/store/database.js';
import { SqliteSettings } from '../../server/src/infra/store/sqlite-settings.js';
import type { FakeWindow } from './fakes.test-support.js';
import type { InvokeEvent } from './ipc.js';

const fake = vi.hoisted(() => ({
  windows: [] as unknown[],
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  trays: [] as { icon: string; menu: { label?: string }[] }[],
  exited: false,
  home: '',
}));

vi.mock('electron', async () => {
  // The factory runs before this file's imports: it imports what it needs itself.
  const { EventEmitter } = await import('node:events');
  const path = await import('node:path');
  const { FakeWindow } = await import('./fakes.test-support.js');
  class App extends EventEmitter {
    isPackaged = false;
    requestSingleInstanceLock = () => true;
    whenReady = () => Promise.resolve();
    getPath = (name: string) => path.join(fake.home, name);
    getVersion = () => '0.1.0';
    quit = () => {
      const event = { prevented: false, preventDefault: () => (event.prevented = true) };
      this.emit('before-quit', event);
      if (!event.prevented) fake.exited = true;
    };
    exit = () => (fake.exited = true);
  }
  class BrowserWindow extends FakeWindow {
    constructor(options: unknown) {
      super(options);
      fake.windows.push(this);
    }
  }
  class Tray {
    menu: unknown[] = [];
    constructor(public icon: string) {
      fake.trays.push(this as never);
    }
    setImage = (icon: string) => (this.icon = icon);
    setToolTip = () => undefined;
    setContextMenu = (menu: unknown[]) => (this.menu = menu);
    destroy = () => undefined;
  }
  return {
    app: new App(),
    BrowserWindow,
    Tray,
    ipcMain: { handle: (channel: string, listener: never) => fake.handlers.set(channel, listener) },
    Menu: { buildFromTemplate: (template: unknown[]) => template },
    Notification: { isSupported: () => false },
    shell: { openExternal: async () => undefined, showItemInFolder: () => undefined },
    dialog: { showErrorBox: () => undefined },
    // No keychain on this machine: the server's key file seals the paired appliances' tokens.
    safeStorage: { isEncryptionAvailable: () => false },
  };
});

fake.home = mkdtempSync(join(tmpdir(), 'desktop-shell-'));
// The last update check of an earlier run found a newer backend.
{
  mkdirSync(join(fake.home, 'userData'), { mode: 0o700 });
  const db = openDatabase(join(fake.home, 'userData', 'appliance.db'));
  new SqliteSettings(db).set('updates.state', {
    lastCheckAt: '2027-01-01T00:00:00Z',
    answers: {
      backend: {
        image: 'registry.example/medianest/backend:v1',
        present: true,
        localDigest: `sha256:${'1'.repeat(64)}`,
        remoteDigest: `sha256:${'1'.repeat(64)}`,
        newerVersions: [{ tag: 'v2', step: 'major' }],
        checkedAt: '2027-01-01T00:00:00Z',
      },
    },
  });
  db.close();
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
};

describe('the desktop shell (index.ts) around the real server', () => {
  let url = '';
  afterAll(async () => {
    const { app } = await import('electron');
    if (!fake.exited) app.quit();
    await until(() => fake.exited);
    rmSync(fake.home, { recursive: true, force: true });
  });

  it('starts the server and shows one secure window on its URL, with the tray', async () => {
    await import('./index.js');
    await until(() => fake.windows.length > 0);
    const win = fake.windows[0] as FakeWindow;
    url = win.loaded[0] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(win.options).toMatchObject({
      webPreferences: { sandbox: true, contextIsolation: true },
    });
    expect(fake.trays[0]?.icon).toMatch(/tray[/\\]unknown\.png$/);
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
  });

  it('shows the stack update the last check found in the tray, opening the dashboard', async () => {
    const entry = () => fake.trays[0]?.menu.find((item) => item.label?.startsWith('Update'));
    await until(() => entry() !== undefined);
    expect(entry()?.label).toBe('Update available: backend v2');
    const win = fake.windows[0] as FakeWindow;
    (entry() as { click?: () => void }).click?.();
    expect(win.loaded.at(-1)).toBe(`${url}/`);
  });

  it('hands the token to our window only', async () => {
    const win = fake.windows[0] as FakeWindow;
    const getToken = fake.handlers.get('desktop:get-token')!;
    const ours: InvokeEvent = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    const token = (await getToken(ours)) as string;
    const authed = await fetch(`${url}/api/jobs`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(authed.status).toBe(200);
    await expect(Promise.resolve(getToken({ sender: {}, senderFrame: { url } }))).rejects.toThrow(
      /refused/,
    );
  });

  it('leaves start at login off in a development run, and says why it cannot be set', async () => {
    const win = fake.windows[0] as FakeWindow;
    const ours: InvokeEvent = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    await expect(fake.handlers.get('desktop:get-start-at-login')!(ours)).resolves.toBe(false);
    await expect(
      Promise.resolve(fake.handlers.get('desktop:set-start-at-login')!(ours, true)),
    ).rejects.toThrow(/only in the installed app/);
    expect(fake.trays[0]?.menu.some((item) => item.label === 'Start at login')).toBe(false);
  });

  it('quitting stops the server before the app exits', async () => {
    const { app } = await import('electron');
    app.quit();
    expect(fake.exited).toBe(false);
    await until(() => fake.exited);
    expect(fake.exited).toBe(true);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });
});
