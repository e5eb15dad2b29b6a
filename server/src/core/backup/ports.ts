/**
 * What the backup and restore services need from the outside world, injected by
 * backup-wiring.ts: streaming exec into the stack's containers, the catalogue and the restore
 * journal in SQLite, and the stack's lifecycle.
 */
import type { Readable } from 'node:stream';
import type { BackupKind, BackupState } from '../../contract/backup-routes.js';

/** A command running in a service container with its stdout as a stream. */
export interface ExecStream {
  stdout: Readable;
  /** Settles when the command has exited (after stdout ended). */
  done: Promise<{ exitCode: number; stderr: string }>;
  abort(): void;
}

export interface StreamingExec {
  /**
   * Runs `command` (argv) in the running container of `service`; `stdin`, when given, is piped in
   * and then closed.
   */
  run(service: string, command: readonly string[], stdin?: Readable): Promise<ExecStream>;
}

/** One row of the catalogue. */
export interface BackupRecord {
  id: string;
  file: string;
  kind: BackupKind;
  state: BackupState;
  size: number;
  createdAt: string;
  verifiedAt?: string;
  error?: { code: string; message: string };
}

export interface BackupCatalogue {
  insert(record: { id: string; file: string; kind: BackupKind; createdAt: string }): void;
  update(
    id: string,
    patch: Partial<Pick<BackupRecord, 'state' | 'size' | 'verifiedAt' | 'error'>>,
  ): void;
  get(id: string): BackupRecord | undefined;
  /** Newest first. */
  list(): BackupRecord[];
  remove(id: string): void;
}

/** Where an unfinished restore stopped: written before each step, cleared on commit or rollback. */
export interface RestoreJournalEntry {
  step: 'staging' | 'swapping' | 'starting' | 'committing';
  source: string;
  startedAt: string;
}

export interface RestoreJournal {
  read(): RestoreJournalEntry | undefined;
  write(entry: RestoreJournalEntry): void;
  clear(): void;
}

/** The stack's lifecycle, as restore needs it (StackService implements it). */
export interface StackControl {
  stop(services: string[]): Promise<unknown>;
  /**
   * Starts the services (and what they depend on), creating any whose container is gone, and
   * waits until they are healthy; rejects with the reason otherwise.
   */
  start(services: string[]): Promise<void>;
}
