import { describe, expect, it, vi } from 'vitest';
import { FakeWindow } from './fakes.test-support.js';
import { createExternalOpener, createWindowManager, secureWindowOptions } from './window.js';

const APP = 'http://127.0.0.1:41234';

function setup() {
  const created: FakeWindow[] = [];
  const openExternal = vi.fn((_url: string) => true);
  const manager = createWindowManager({
    createWindow: (options) => {
      const win = new FakeWindow(options);
      created.push(win);
      return win;
    },
    preloadPath: '/app/dist/electron/preload/index.cjs',
    appUrl: APP,
    openExternal,
    log: () => undefined,
  });
  return { manager, created, openExternal };
}

describe('the app window', () => {
  it('is created with the secure web preferences', () => {
    const { manager, created } = setup();
    manager.show();
    const prefs = secureWindowOptions('/p').webPreferences;
    expect(created[0]?.options).toEqual(
      secureWindowOptions('/app/dist/electron/preload/index.cjs'),
    );
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('loads the server URL without the token in it', () => {
    const { manager, created } = setup();
    manager.show();
    expect(created[0]?.loaded).toEqual([APP]);
  });

  it('denies a navigation or a redirect to another origin and allows the app origin', () => {
    const { manager, created } = setup();
    manager.show();
    const contents = created[0]!.webContents;
    expect(contents.navigate('will-navigate', 'https://evil.example/phish').prevented).toBe(true);
    expect(contents.navigate('will-navigate', 'http://127.0.0.1:9999/').prevented).toBe(true);
    expect(contents.navigate('will-redirect', 'file:///etc/passwd').prevented).toBe(true);
    expect(contents.navigate('will-navigate', `${APP}/services`).prevented).toBe(false);
  });

  it('never opens a new window: links go to the external opener, which decides', () => {
    const { manager, created, openExternal } = setup();
    manager.show();
    const handler = created[0]!.webContents.openHandler!;
    expect(handler({ url: 'https://medianest.example/' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://medianest.example/');
  });

  it('refuses every permission request', () => {
    const { manager, created } = setup();
    manager.show();
    const callback = vi.fn();
    created[0]!.webContents.permissionHandler!({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
  });

  it('answers every permission check with no, even from the app origin', () => {
    const { manager, created } = setup();
    manager.show();
    const check = created[0]!.webContents.permissionCheckHandler;
    expect(check).toBeDefined();
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'hid'])
      expect(check!({}, permission, APP)).toBe(false);
  });

  it('keeps one window: showing again restores and focuses it; after closing, a new one opens', () => {
    const { manager, created } = setup();
    manager.show();
    created[0]!.minimized = true;
    manager.show();
    expect(created).toHaveLength(1);
    expect(created[0]!.minimized).toBe(false);
    expect(created[0]!.focused).toBe(1);
    created[0]!.emit('closed');
    expect(manager.current()).toBeUndefined();
    manager.show();
    expect(created).toHaveLength(2);
  });

  it('opens a page inside the app, and refuses one outside it', () => {
    const { manager, created } = setup();
    manager.openPage('/services/postgres');
    expect(created[0]?.loaded).toEqual([`${APP}/services/postgres`]);
    manager.openPage('//evil.example/x');
    expect(created[0]?.loaded).toHaveLength(1);
  });
});

describe('openExternal', () => {
  const setupOpener = (origins = [APP, 'https://media.example.net']) => {
    const opened: string[] = [];
    const open = createExternalOpener({
      openExternal: async (url) => void opened.push(url),
      allowedOrigins: () => origins,
      log: () => undefined,
    });
    return { open, opened };
  };

  it('opens http(s) URLs on an origin the app built', () => {
    const { open, opened } = setupOpener();
    expect(open(`${APP}/login?code=x`)).toBe(true);
    expect(open('https://media.example.net/library')).toBe(true);
    expect(opened).toEqual([`${APP}/login?code=x`, 'https://media.example.net/library']);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://evil.example/',
    'http://media.example.net/library',
    'https://user:pass@media.example.net/',
    'smb://nas/share',
    'not a url',
  ])('refuses %s', (url) => {
    const { open, opened } = setupOpener();
    expect(open(url)).toBe(false);
    expect(opened).toEqual([]);
  });
});
