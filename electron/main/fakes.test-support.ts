/** Fakes of the Electron surfaces the main-process modules take; for their unit tests only. */
import type { AppWindow, Preventable, WindowContents } from './window.js';

type Listener = (...args: never[]) => void;

/** A minimal event emitter: `on`, `once` and `emit`, enough to stand in for Electron's. */
export class FakeEmitter {
  private readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? [])
      (listener as (...values: unknown[]) => void)(...args);
  }
  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

export class FakeContents extends FakeEmitter implements WindowContents {
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  permissionHandler:
    | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void)
    | undefined;
  permissionCheckHandler:
    ((contents: unknown, permission: string, requestingOrigin: string) => boolean) | undefined;
  readonly mainFrame = { url: '' };
  readonly session = {
    setPermissionRequestHandler: (handler: NonNullable<FakeContents['permissionHandler']>) => {
      this.permissionHandler = handler;
    },
    setPermissionCheckHandler: (handler: NonNullable<FakeContents['permissionCheckHandler']>) => {
      this.permissionCheckHandler = handler;
    },
  };
  setWindowOpenHandler(handler: NonNullable<FakeContents['openHandler']>): void {
    this.openHandler = handler;
  }
  /** Emits `event` as Electron would, and says whether a listener prevented it. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): { prevented: boolean } {
    const result = { prevented: false };
    const preventable: Preventable = { preventDefault: () => (result.prevented = true) };
    this.emit(event, preventable, url);
    return result;
  }
}

export class FakeWindow extends FakeEmitter implements AppWindow {
  readonly webContents = new FakeContents();
  readonly loaded: string[] = [];
  shown = 0;
  focused = 0;
  minimized = false;
  constructor(readonly options: unknown) {
    super();
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.webContents.mainFrame.url = url;
  }
  show(): void {
    this.shown++;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
}
