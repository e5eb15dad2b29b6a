/**
 * The build API's output stream (one JSON object a line), from either builder, turned into the
 * neutral BuildEvents core uses. The classic builder writes text ("Step 3/12 : COPY ..."); BuildKit
 * writes `moby.buildkit.trace` messages: base64 protobuf (moby/buildkit StatusResponse), of which
 * this reads the few fields it needs, without a protobuf library.
 */
import type { BuildEvent } from '../../core/images/image-gateway.js';

// ------------------------------------------------------------------ protobuf, the minimum

type Field = { no: number; value: number | Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) yield { no, value: varint() };
    else if (wire === 2) {
      const length = varint();
      if (pos + length > buf.length) throw new Error('truncated field');
      yield { no, value: buf.subarray(pos, pos + length) };
      pos += length;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

const text = (value: number | Uint8Array): string =>
  typeof value === 'number' ? '' : Buffer.from(value).toString('utf8');

export interface TraceVertex {
  digest: string;
  name: string;
  cached: boolean;
  started: boolean;
  completed: boolean;
  error: string;
}

export interface TraceStatus {
  vertexes: TraceVertex[];
  logs: Array<{ vertex: string; msg: Uint8Array<ArrayBufferLike> }>;
}

/** Decodes one StatusResponse (vertexes = 1, logs = 3; the rest is skipped). */
export function decodeTrace(base64: string): TraceStatus {
  const status: TraceStatus = { vertexes: [], logs: [] };
  for (const field of fields(Buffer.from(base64, 'base64'))) {
    if (typeof field.value === 'number') continue;
    if (field.no === 1) {
      const v: TraceVertex = {
        digest: '',
        name: '',
        cached: false,
        started: false,
        completed: false,
        error: '',
      };
      for (const f of fields(field.value)) {
        if (f.no === 1) v.digest = text(f.value);
        else if (f.no === 3) v.name = text(f.value);
        else if (f.no === 4) v.cached = f.value === 1;
        else if (f.no === 5) v.started = true;
        else if (f.no === 6) v.completed = true;
        else if (f.no === 7) v.error = text(f.value);
      }
      status.vertexes.push(v);
    } else if (field.no === 3) {
      const log: { vertex: string; msg: Uint8Array<ArrayBufferLike> } = {
        vertex: '',
        msg: new Uint8Array(),
      };
      for (const f of fields(field.value)) {
        if (f.no === 1) log.vertex = text(f.value);
        else if (f.no === 4 && typeof f.value !== 'number') log.msg = f.value;
      }
      status.logs.push(log);
    }
  }
  return status;
}

// ------------------------------------------------------------------ the stream

interface BuildMessage {
  id?: string;
  stream?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { message?: string };
}

const CLASSIC_STEP = /^Step (\d+)\/(\d+) : (.*)$/;
/** The classic builder's bookkeeping lines, which say nothing a person needs. */
const CLASSIC_NOISE =
  /^( ---> [0-9a-f]{12}$| ---> Running in |Removing intermediate container |Successfully built |Successfully tagged | ---> Using cache$)/;

// ESC [ ... letter: terminal colour codes.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

/** BuildKit's own preparations, before and around the Dockerfile's steps. */
const SETUP_VERTEX = /^(\[internal\]|\[auth\]|resolve image config |copy \/context \/$)/;

/** Feeds on the build API's lines; reports steps and output; remembers the image id and error. */
export class BuildOutputParser {
  imageId: string | undefined;
  error: string | undefined;
  private readonly kept: string[] = [];
  private partial = '';
  private pendingStep: { current: number; total: number; name: string } | undefined;
  private readonly vertices = new Map<string, { started: boolean }>();
  private readonly setup = new Map<string, { started: boolean }>();
  private readonly logBuffers = new Map<string, string>();
  private started = 0;

  constructor(private readonly onEvent: (event: BuildEvent) => void) {}

  /** The last lines the build printed, for explaining a failure. */
  lastOutput(): string[] {
    return [...this.kept];
  }

  line(raw: string): void {
    if (raw.trim() === '') return;
    let message: BuildMessage;
    try {
      message = JSON.parse(raw) as BuildMessage;
    } catch {
      this.output(raw);
      return;
    }
    if (message.error !== undefined || message.errorDetail?.message !== undefined) {
      this.error = message.errorDetail?.message ?? message.error;
    } else if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') {
      this.trace(decodeTrace(message.aux));
    } else if (typeof message.aux === 'object' && message.aux !== null) {
      // Classic reports every stage's image; BuildKit once, as moby.image.id: the last is the result.
      const id = (message.aux as { ID?: unknown }).ID;
      if (typeof id === 'string') this.imageId = id;
    } else if (typeof message.stream === 'string') {
      this.classic(message.stream);
    }
  }

  /** Flushes what is still buffered (a last line without a newline, a step not yet reported). */
  end(): void {
    if (this.partial) this.classicLine(this.partial);
    this.partial = '';
    this.flushStep(false);
    for (const rest of this.logBuffers.values()) if (rest.trim()) this.output(rest.trimEnd());
    this.logBuffers.clear();
  }

  private output(line: string): void {
    this.kept.push(line);
    if (this.kept.length > 20) this.kept.shift();
    this.onEvent({ kind: 'output', line });
  }

  private classic(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    // "Step N/M : ..." arrives without its newline; it is complete as soon as it arrives.
    if (CLASSIC_STEP.test(this.partial)) {
      lines.push(this.partial);
      this.partial = '';
    }
    for (const line of lines) this.classicLine(line);
  }

  private classicLine(raw: string): void {
    // The classic builder colours a step's stderr red.
    const line = raw.replace(ANSI, '');
    const step = CLASSIC_STEP.exec(line);
    if (step) {
      this.flushStep(false);
      this.pendingStep = { current: Number(step[1]), total: Number(step[2]), name: step[3] ?? '' };
      return;
    }
    if (line.trim() === '') return;
    // The classic builder says whether a step was cached only on the line after it.
    if (line === ' ---> Using cache') return this.flushStep(true);
    this.flushStep(false);
    if (CLASSIC_NOISE.test(line)) return;
    this.output(line.replace(/^ ---> /, ''));
  }

  private flushStep(cached: boolean): void {
    if (!this.pendingStep) return;
    this.onEvent({ kind: 'step', ...this.pendingStep, cached });
    this.pendingStep = undefined;
  }

  private trace(status: TraceStatus): void {
    for (const v of status.vertexes) {
      // Loading the context and the base image's metadata happens before the build graph is
      // known: counted as steps, they would make "1/1" look like a finished build.
      const setup = SETUP_VERTEX.test(v.name);
      let entry = this.vertices.get(v.digest) ?? this.setup.get(v.digest);
      if (!entry) {
        entry = { started: false };
        if (!setup) this.vertices.set(v.digest, entry);
        else this.setup.set(v.digest, entry);
      }
      if (entry.started || !(v.started || (v.completed && v.cached)) || !v.name) continue;
      entry.started = true;
      if (setup) {
        this.output(v.name);
        continue;
      }
      this.started++;
      this.onEvent({
        kind: 'step',
        current: this.started,
        total: this.vertices.size,
        name: v.name,
        cached: v.cached,
      });
    }
    for (const log of status.logs) {
      const lines = (
        (this.logBuffers.get(log.vertex) ?? '') + Buffer.from(log.msg).toString('utf8')
      )
        .replace(/\r\n?/g, '\n')
        .split('\n');
      this.logBuffers.set(log.vertex, lines.pop() ?? '');
      for (const line of lines) if (line.trim()) this.output(line);
    }
  }
}
