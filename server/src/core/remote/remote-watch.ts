/**
 * Each paired appliance's state as its own event stream tells it (issue 21 §3): the desktop's
 * server follows every appliance's `/api/events` and keeps its last `tray.changed`; an appliance
 * that cannot be reached, or refuses us, is `unknown` (never `down`: we do not know) and is tried
 * again with a growing pause. Its alerts come back named with the appliance, once each.
 */
import type { Readable } from 'node:stream';
import type { Appliance } from '../../contract/appliances-routes.js';
import type { AlertRaised, TrayChanged, TrayState } from '../../contract/tray.js';
import { EVENTS_PATH } from '../../contract/events.js';
import { AlertRaisedSchema, TRAY_PATH, TrayChangedSchema } from '../../contract/tray.js';
import type { ApplianceView } from './appliance-list.js';
import type { ForwardAnswer, ForwardRequest } from './remote-appliances.js';

export interface RemoteState {
  id: string;
  name: string;
  state: TrayState;
  problem?: string;
  /** The appliance's own tray line and problems, as last heard. */
  tray?: Pick<TrayChanged, 'tooltip' | 'problems'>;
}

export interface RemoteWatchDeps {
  appliances: () => ApplianceView[];
  /** A request to appliance `id` (through the pinned transport, with this device's token). */
  forward: (id: string, request: ForwardRequest) => Promise<ForwardAnswer>;
  onChange: (state: RemoteState) => void;
  onAlert: (appliance: { id: string; name: string }, alert: AlertRaised) => void;
  /** Pauses before trying an appliance again: the first, doubled up to the last. */
  retryMs?: { first: number; max: number };
}

interface Watched {
  current: RemoteState;
  stream?: Readable;
  timer?: ReturnType<typeof setTimeout>;
  pause: number;
  stopped: boolean;
}

/** `data:` lines of each complete frame in `buffer`; the unfinished rest is returned. */
export function sseFrames(buffer: string): { data: string[]; rest: string } {
  const frames = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = frames.pop() ?? '';
  const data = frames
    .map((frame) =>
      frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .filter((text) => text.length > 0);
  return { data, rest };
}

export class RemoteWatch {
  private readonly watched = new Map<string, Watched>();
  private running = false;

  constructor(private readonly deps: RemoteWatchDeps) {}

  start(): void {
    this.running = true;
    this.sync();
  }

  /** Follows appliances newly paired, lets go of those forgotten. */
  sync(): void {
    if (!this.running) return;
    let list: ApplianceView[];
    try {
      list = this.deps.appliances();
    } catch {
      return; // a damaged list is reported where it is read; nothing to follow
    }
    const ids = new Set(list.map((a) => a.id));
    for (const [id, watched] of this.watched) {
      if (!ids.has(id)) {
        this.release(watched);
        this.watched.delete(id);
      }
    }
    for (const appliance of list) {
      if (this.watched.has(appliance.id)) continue;
      const watched: Watched = {
        current: { id: appliance.id, name: appliance.name, state: 'unknown' },
        pause: this.deps.retryMs?.first ?? 2_000,
        stopped: false,
      };
      this.watched.set(appliance.id, watched);
      this.follow(watched);
    }
  }

  /** The list as the API answers it: each appliance with its state. */
  withStates(list: ApplianceView[]): Appliance[] {
    return list.map((appliance) => {
      const current = this.watched.get(appliance.id)?.current;
      return {
        ...appliance,
        state: current?.state ?? 'unknown',
        ...(current?.problem ? { problem: current.problem } : {}),
      };
    });
  }

  states(): RemoteState[] {
    return [...this.watched.values()].map((w) => w.current);
  }

  stop(): void {
    this.running = false;
    for (const watched of this.watched.values()) this.release(watched);
    this.watched.clear();
  }

  private release(watched: Watched): void {
    watched.stopped = true;
    clearTimeout(watched.timer);
    watched.stream?.destroy();
  }

  private set(watched: Watched, next: Omit<RemoteState, 'id' | 'name'>): void {
    const before = watched.current;
    watched.current = { id: before.id, name: before.name, ...next };
    if (before.state !== next.state || before.problem !== next.problem) {
      this.deps.onChange(watched.current);
    } else if (next.tray && next.tray.tooltip !== before.tray?.tooltip) {
      this.deps.onChange(watched.current);
    }
  }

  private follow(watched: Watched): void {
    const { id } = watched.current;
    const events = { method: 'GET', path: EVENTS_PATH, headers: { accept: 'text/event-stream' } };
    this.deps.forward(id, events).then(
      (answer) => {
        if (watched.stopped) {
          answer.body.destroy();
          return;
        }
        if (answer.status !== 200) {
          answer.body.resume();
          const problem =
            answer.status === 401
              ? 'it refuses this device (revoked there?): pair it again'
              : `it answered ${answer.status}`;
          this.retry(watched, problem);
          return;
        }
        watched.stream = answer.body;
        const heard = this.read(watched, answer.body);
        // The state now (the stream tells only changes), unless the stream has told one since.
        void this.currentTray(id).then((tray) => {
          if (tray && !heard() && !watched.stopped && watched.stream === answer.body) {
            this.set(watched, {
              state: tray.state,
              tray: { tooltip: tray.tooltip, problems: tray.problems },
            });
          }
        });
      },
      (error: unknown) =>
        this.retry(watched, error instanceof Error ? error.message : String(error)),
    );
  }

  private async currentTray(id: string): Promise<TrayChanged | undefined> {
    try {
      const answer = await this.deps.forward(id, {
        method: 'GET',
        path: TRAY_PATH,
        headers: { accept: 'application/json' },
      });
      let text = '';
      answer.body.setEncoding('utf8');
      for await (const chunk of answer.body) text += chunk as string;
      if (answer.status !== 200) return undefined;
      const parsed = TrayChangedSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined; // the stream's own end says what went wrong
    }
  }

  /** Reads the stream; the function returned says whether it has told a tray state yet. */
  private read(watched: Watched, body: Readable): () => boolean {
    let buffer = '';
    let heard = false;
    body.setEncoding('utf8');
    body.on('data', (chunk: string) => {
      const { data, rest } = sseFrames(buffer + chunk);
      buffer = rest;
      for (const text of data) this.take(watched, text, () => (heard = true));
    });
    const ended = () => {
      if (watched.stopped) return;
      watched.stream = undefined;
      // A stream that worked starts the pauses again from the first.
      if (heard) watched.pause = this.deps.retryMs?.first ?? 2_000;
      this.retry(watched, 'its event stream ended');
    };
    body.once('end', ended);
    body.once('error', ended);
    return () => heard;
  }

  private take(watched: Watched, text: string, heard: () => void): void {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      return;
    }
    const tray = TrayChangedSchema.safeParse(event);
    if (tray.success) {
      heard();
      const { state, tooltip, problems } = tray.data;
      this.set(watched, { state, tray: { tooltip, problems } });
      return;
    }
    const alert = AlertRaisedSchema.safeParse(event);
    if (alert.success) {
      const { id, name } = watched.current;
      this.deps.onAlert({ id, name }, alert.data);
    }
  }

  private retry(watched: Watched, problem: string): void {
    if (watched.stopped) return;
    this.set(watched, { state: 'unknown', problem });
    const max = this.deps.retryMs?.max ?? 30_000;
    watched.timer = setTimeout(() => this.follow(watched), watched.pause);
    watched.timer.unref?.();
    watched.pause = Math.min(max, watched.pause * 2);
  }
}
