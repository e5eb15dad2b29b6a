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

/**
 * Core's one outlet for domain events: services publish, the HTTP layer (SSE) and the desktop
 * shell subscribe. Keeps the last `capacity` events in a ring buffer so a client that reconnects
 * can resume; memory stays bounded however many events are published.
 */
export class EventBus {
  private readonly ring: Array<PublishedEvent | undefined>;
  private readonly listeners = new Set<EventListener>();
  private nextId = 1;

  constructor(readonly capacity: number = DEFAULT_EVENT_BUFFER) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('The event buffer needs room for at least one event.');
    }
    this.ring = new Array<PublishedEvent | undefined>(capacity);
  }

  /** The id of the newest event, 0 before the first. */
  get lastId(): number {
    return this.nextId - 1;
  }

  publish(event: DomainEvent): PublishedEvent {
    const published: PublishedEvent = { id: this.nextId++, event };
    this.ring[published.id % this.capacity] = published;
    for (const listener of [...this.listeners]) {
      try {
        listener(published);
      } catch {
        // One broken subscriber must not stop the others or the publisher.
      }
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

  /** The events after `lastId`, oldest first, or `expired` when some of them left the buffer. */
  since(lastId: number): Replay {
    if (lastId >= this.lastId) return { kind: 'events', events: [] };
    const oldestId = Math.max(1, this.nextId - this.capacity);
    if (lastId + 1 < oldestId) return { kind: 'expired', oldestId };
    const events: PublishedEvent[] = [];
    for (let id = Math.max(lastId + 1, oldestId); id < this.nextId; id++) {
      const entry = this.ring[id % this.capacity];
      if (entry?.id === id) events.push(entry);
    }
    return { kind: 'events', events };
  }
}
