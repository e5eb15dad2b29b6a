import type { DomainEvent } from '../../contract/events.js';

/** A published event with its place in the stream. */
export interface PublishedEvent {
  /** 1, 2, 3, ... for this bus; never reused while the bus lives. */
  readonly id: number;
  readonly event: DomainEvent;
}

export type EventListener = (published: PublishedEvent) => void;

/** What a client resuming after `lastId` gets: the events it missed, or word that they are gone. */
export type Replay =
  { kind: 'events'; events: PublishedEvent[] } | { kind: 'expired'; oldestId: number };

export const DEFAULT_EVENT_BUFFER = 1000;
/** Resource samples kept for a resuming client: one minute at one sample every 5 s. */
export const DEFAULT_SAMPLE_BUFFER = 12;

export interface EventBusOptions {
  /** How many samples (see `isSample`) to keep apart from the other events. */
  readonly sampleCapacity?: number;
  /** Frequent events whose newest ones are all a client needs: by default `resources.sampled`. */
  readonly isSample?: (event: DomainEvent) => boolean;
}

const isResourceSample = (event: DomainEvent): boolean => event.type === 'resources.sampled';

/** A fixed-size ring of published events, oldest first; pushing onto a full ring drops the oldest. */
class EventRing {
  private readonly slots: Array<PublishedEvent | undefined>;
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<PublishedEvent | undefined>(capacity);
  }

  /** Adds `published`; returns the event it pushed out, if any. */
  push(published: PublishedEvent): PublishedEvent | undefined {
    if (this.size < this.capacity) {
      this.slots[(this.start + this.size++) % this.capacity] = published;
      return undefined;
    }
    const dropped = this.slots[this.start];
    this.slots[this.start] = published;
    this.start = (this.start + 1) % this.capacity;
    return dropped;
  }

  get oldest(): PublishedEvent | undefined {
    return this.size > 0 ? this.slots[this.start] : undefined;
  }

  /** The events with an id above `lastId`, oldest first. */
  after(lastId: number): PublishedEvent[] {
    const events: PublishedEvent[] = [];
    for (let i = 0; i < this.size; i++) {
      const entry = this.slots[(this.start + i) % this.capacity];
      if (entry && entry.id > lastId) events.push(entry);
    }
    return events;
  }
}

/** Two id-ordered lists as one, still in id order. */
function mergeById(a: PublishedEvent[], b: PublishedEvent[]): PublishedEvent[] {
  const merged: PublishedEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x && (!y || x.id < y.id)) {
      merged.push(x);
      i++;
    } else if (y) {
      merged.push(y);
      j++;
    }
  }
  return merged;
}

/**
 * Core's one outlet for domain events: services publish, the HTTP layer (SSE) and the desktop
 * shell subscribe. Keeps the last `capacity` events in a ring buffer so a client that reconnects
 * can resume; memory stays bounded however many events are published. Resource samples (one every
 * 5 s, 720 an hour) go to a small ring of their own: otherwise they would push the alerts, state
 * changes and jobs out of the history within the hour, and only the newest samples matter.
 */
export class EventBus {
  private readonly events: EventRing;
  private readonly samples: EventRing;
  private readonly isSample: (event: DomainEvent) => boolean;
  private readonly listeners = new Set<EventListener>();
  private nextId = 1;
  private readonly undelivered: PublishedEvent[] = [];
  private delivering = false;
  /** The id of the newest event (not a sample) that left the buffer; 0 while none has. */
  private droppedUpTo = 0;

  constructor(
    readonly capacity: number = DEFAULT_EVENT_BUFFER,
    options: EventBusOptions = {},
  ) {
    const sampleCapacity = options.sampleCapacity ?? DEFAULT_SAMPLE_BUFFER;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('The event buffer needs room for at least one event.');
    }
    if (!Number.isInteger(sampleCapacity) || sampleCapacity < 1) {
      throw new RangeError('The sample buffer needs room for at least one sample.');
    }
    this.events = new EventRing(capacity);
    this.samples = new EventRing(sampleCapacity);
    this.isSample = options.isSample ?? isResourceSample;
  }

  /** The id of the newest event, 0 before the first. */
  get lastId(): number {
    return this.nextId - 1;
  }

  publish(event: DomainEvent): PublishedEvent {
    const published: PublishedEvent = { id: this.nextId++, event };
    if (this.isSample(event)) this.samples.push(published);
    else this.droppedUpTo = this.events.push(published)?.id ?? this.droppedUpTo;
    this.undelivered.push(published);
    // A listener that publishes (a projection, the alert engine) has its event delivered once the
    // current one reached every listener: each listener sees the events in id order.
    if (this.delivering) return published;
    this.delivering = true;
    try {
      for (let next = this.undelivered.shift(); next; next = this.undelivered.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(next);
          } catch {
            // One broken subscriber must not stop the others or the publisher.
          }
        }
      }
    } finally {
      this.delivering = false;
    }
    return published;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /**
   * The events after `lastId` in id order: every one that is not a sample, with the newest samples
   * among them; `expired` when an event (not a sample) after `lastId` left the buffer. Samples that
   * left are not a gap: the newest ones say the same.
   */
  since(lastId: number): Replay {
    if (lastId >= this.lastId) return { kind: 'events', events: [] };
    if (lastId < this.droppedUpTo) {
      return { kind: 'expired', oldestId: this.events.oldest?.id ?? this.nextId };
    }
    return {
      kind: 'events',
      events: mergeById(this.events.after(lastId), this.samples.after(lastId)),
    };
  }
}
