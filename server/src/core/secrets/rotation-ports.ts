import type { FileSystem } from '../file-system.js';
import type { ServiceExec } from '../service-exec.js';
import type { RandomSource } from './generate.js';

/** The services an `up` created, recreated or started. */
export interface StackChanges {
  created: string[];
  recreated: string[];
  started: string[];
}

/** Reports a step (and how far along) to the job history and the event stream. */
export type RotationProgress = (step: string, percent?: number) => void;

export interface RotationDeps {
  fs: FileSystem;
  /** Created on first use, so listing the secrets needs no engine. */
  engine: () => ServiceExec;
  location: { stackDir: string; secretsDir: string; composeFile: string };
  /**
   * Re-renders the stack from the stored settings (initStack): derived secrets (database_url,
   * redis_url) are rebuilt from the canonical files and the per-service copies refreshed; every
   * other secret is kept.
   */
  render(): Promise<void>;
  /**
   * The stack's `up`: recreates exactly the services whose configuration (or secret copy) changed.
   * Its result as rotation reads it (core/stack's UpResult has these and more): secrets sit below
   * the stack and do not import it.
   */
  up(): Promise<StackChanges>;
  now(): Date;
  random?: RandomSource;
}
