import type { LogLine } from '../../contract/logs-routes.js';

/** What a follower reads: lines, or the marker standing in for lines it was too slow to take. */
export type FollowItem =
  { kind: 'line'; line: LogLine } | { kind: 'skipped'; count: number; from: string; to: string };

export interface FollowerBufferLimits {
  /** Lines held at most (default 20 000). */
  maxLines: number;
  /** Bytes of line text held at most (default 8 MiB). */
  maxBytes: number;
}

export const FOLLOWER_BUFFER_DEFAULTS: FollowerBufferLimits = {
  maxLines: 20_000,
  maxBytes: 8 * 1024 * 1024,
};

/** Rough size of a held line: its text plus the fixed fields. */
const sizeOf = (line: LogLine): number => line.text.length + line.service.length + 64;

/**
 * One follower's queue between the merged stream and a client that may read slowly. Bounded by
 * lines and bytes: when full, the oldest held lines are dropped and counted into a `skipped`
 * marker that takes their place, so the client learns exactly how many lines it missed and when.
 * Memory stays bounded whatever the stack writes; nothing is lost silently.
 */
export class FollowerBuffer {
  private items: FollowItem[] = [];
  private head = 0;
  private lines = 0;
  private bytes = 0;
  private skippedTotal = 0;
  readonly limits: FollowerBufferLimits;

  constructor(limits: Partial<FollowerBufferLimits> = {}) {
    this.limits = { ...FOLLOWER_BUFFER_DEFAULTS, ...limits };
  }

  get heldLines(): number {
    return this.lines;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Lines dropped for this follower since it started. */
  get skipped(): number {
    return this.skippedTotal;
  }

  get isEmpty(): boolean {
    return this.head >= this.items.length;
  }

  push(lines: readonly LogLine[]): void {
    for (const line of lines) {
      this.items.push({ kind: 'line', line });
      this.lines++;
      this.bytes += sizeOf(line);
    }
    if (this.lines > this.limits.maxLines || this.bytes > this.limits.maxBytes) this.shed();
  }

  /** Up to `max` items, oldest first. */
  take(max: number): FollowItem[] {
    const end = Math.min(this.items.length, this.head + max);
    const out = this.items.slice(this.head, end);
    this.head = end;
    for (const item of out) {
      if (item.kind === 'line') {
        this.lines--;
        this.bytes -= sizeOf(item.line);
      }
    }
    this.compact();
    return out;
  }

  /** Drops the oldest lines down to half the bounds, so shedding is rare rather than per line. */
  private shed(): void {
    const targetLines = Math.floor(this.limits.maxLines / 2);
    const targetBytes = Math.floor(this.limits.maxBytes / 2);
    // A marker already at the front (the client has not read it yet) absorbs the new drop.
    const front = this.items[this.head];
    let marker: Extract<FollowItem, { kind: 'skipped' }> | undefined =
      front?.kind === 'skipped' ? front : undefined;
    let i = marker ? this.head + 1 : this.head;
    while (i < this.items.length && (this.lines > targetLines || this.bytes > targetBytes)) {
      const item = this.items[i++];
      if (!item) break;
      if (item.kind === 'skipped') {
        if (marker) {
          marker.count += item.count;
          marker.to = item.to;
        } else marker = { ...item };
        continue;
      }
      this.lines--;
      this.bytes -= sizeOf(item.line);
      this.skippedTotal++;
      if (marker) {
        marker.count++;
        marker.to = item.line.time;
      } else marker = { kind: 'skipped', count: 1, from: item.line.time, to: item.line.time };
    }
    const rest = this.items.slice(i);
    this.items = marker ? [marker, ...rest] : rest;
    this.head = 0;
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
