import { describe, expect, it, vi } from 'vitest';
import {
  autostartEntry,
  createLoginItem,
  execArgument,
  HIDDEN_FLAG,
  launchedAtLogin,
  type AutostartFs,
  type LoginItemApp,
} from './login-item.js';

function fakeApp(wasOpenedAtLogin = false) {
  let openAtLogin = false;
  const app = {
    setLoginItemSettings: vi.fn((settings: { openAtLogin: boolean; args?: string[] }) => {
      openAtLogin = settings.openAtLogin;
    }),
    getLoginItemSettings: vi.fn((_options?: { args?: string[] }) => ({
      openAtLogin,
      wasOpenedAtLogin,
    })),
  } satisfies LoginItemApp;
  return app;
}

function fakeFs() {
  const files = new Map<string, string>();
  const dirs = new Set<string>();
  const fs: AutostartFs & { files: typeof files; dirs: typeof dirs } = {
    files,
    dirs,
    async readFile(path) {
      const text = files.get(path);
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return text;
    },
    async writeFile(path, data) {
      files.set(path, data);
    },
    async mkdir(path) {
      dirs.add(path);
    },
    async rm(path) {
      files.delete(path);
    },
  };
  return fs;
}

const ENTRY = '/home/me/.config/autostart/medianest-appliance.desktop';

function linux(isPackaged = true) {
  const fs = fakeFs();
  const app = fakeApp();
  const item = createLoginItem({
    platform: 'linux',
    isPackaged,
    app,
    fs,
    configHome: '/home/me/.config',
    executable: '/home/me/Apps/MediaNest Appliance.AppImage',
  });
  return { fs, app, item };
}

describe('start at login on Windows and macOS', () => {
  it('registers a Windows login item with --hidden, and asks for it with the same arguments', async () => {
    const app = fakeApp();
    const item = createLoginItem({
      platform: 'win32',
      isPackaged: true,
      app,
      fs: fakeFs(),
      configHome: '',
      executable: 'C:\\app.exe',
    });
    expect(item.supported).toBe(true);
    await item.set(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({
      openAtLogin: true,
      args: [HIDDEN_FLAG],
    });
    await expect(item.get()).resolves.toBe(true);
    expect(app.getLoginItemSettings).toHaveBeenCalledWith({ args: [HIDDEN_FLAG] });
    await item.set(false);
    await expect(item.get()).resolves.toBe(false);
  });

  it('registers a macOS login item', async () => {
    const app = fakeApp();
    const fs = fakeFs();
    const item = createLoginItem({
      platform: 'darwin',
      isPackaged: true,
      app,
      fs,
      configHome: '/Users/me/Library/Application Support',
      executable: '/Applications/MediaNest Appliance.app/Contents/MacOS/MediaNest Appliance',
    });
    await item.set(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true });
    await expect(item.get()).resolves.toBe(true);
    expect(fs.files.size).toBe(0);
  });
});

describe('start at login on Linux (XDG autostart)', () => {
  it('writes the autostart entry, reads it back, and removes it', async () => {
    const { fs, app, item } = linux();
    await expect(item.get()).resolves.toBe(false);
    await item.set(true);
    expect(fs.dirs).toContain('/home/me/.config/autostart');
    expect(fs.files.get(ENTRY)).toContain(
      `Exec="/home/me/Apps/MediaNest Appliance.AppImage" ${HIDDEN_FLAG}\n`,
    );
    await expect(item.get()).resolves.toBe(true);
    await item.set(false);
    expect(fs.files.has(ENTRY)).toBe(false);
    await expect(item.get()).resolves.toBe(false);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('reads an entry the desktop turned off as off', async () => {
    const { fs, item } = linux();
    fs.files.set(ENTRY, `${autostartEntry('/opt/app')}Hidden=true\n`);
    await expect(item.get()).resolves.toBe(false);
    fs.files.set(ENTRY, autostartEntry('/opt/app').replace('enabled=true', 'enabled=false'));
    await expect(item.get()).resolves.toBe(false);
  });

  it('passes on read errors other than a missing file', async () => {
    const { fs, item } = linux();
    fs.readFile = async () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    await expect(item.get()).rejects.toThrow('EACCES');
  });

  it('quotes the executable as the Desktop Entry Specification says', () => {
    expect(execArgument('/opt/MediaNest Appliance/medianest-appliance')).toBe(
      '"/opt/MediaNest Appliance/medianest-appliance"',
    );
    expect(execArgument('/a "b" $HOME `x` 100%')).toBe(
      '"/a \\\\"b\\\\" \\\\$HOME \\\\`x\\\\` 100%%"',
    );
    expect(execArgument('/a\\b')).toBe('"/a\\\\\\\\b"');
    expect(() => execArgument('/a\nExec=/bin/evil')).toThrow(/control character/);
  });
});

describe('where start at login is not supported', () => {
  it('is off and refuses to be set in a development run', async () => {
    const { fs, item } = linux(false);
    expect(item.supported).toBe(false);
    await expect(item.get()).resolves.toBe(false);
    await expect(item.set(true)).rejects.toThrow(/only in the installed app/);
    expect(fs.files.size).toBe(0);
  });

  it('is off on other platforms', async () => {
    const item = createLoginItem({
      platform: 'freebsd',
      isPackaged: true,
      app: fakeApp(),
      fs: fakeFs(),
      configHome: '/home/me/.config',
      executable: '/usr/local/bin/app',
    });
    expect(item.supported).toBe(false);
    await expect(item.set(true)).rejects.toThrow(/not supported on freebsd/);
  });
});

describe('a login launch', () => {
  it('is told by --hidden, or on macOS by wasOpenedAtLogin', () => {
    expect(launchedAtLogin('linux', ['/app', HIDDEN_FLAG], fakeApp())).toBe(true);
    expect(launchedAtLogin('win32', ['C:\\app.exe'], fakeApp(true))).toBe(false);
    expect(launchedAtLogin('darwin', ['/app'], fakeApp(true))).toBe(true);
    expect(launchedAtLogin('darwin', ['/app'], fakeApp(false))).toBe(false);
  });
});
