/** The ports of update-apply.ts; app/update-apply.ts builds them from core areas and infra. */
import type { UpdateRecord } from './update-history.js';

/** Reports a step (and how far along the whole update is), as a job's progress does. */
export type UpdateProgress = (step: string, percent?: number) => void;

export type ServiceImages = Record<string, string>;

/** What applying an update needs of the stack, the engine and the backups. */
export interface UpdatePorts {
  /** The images the stack is configured with now, per service. */
  currentImages(): ServiceImages;
  /** Why there is not room for the new images and a snapshot, or undefined. */
  spaceProblem(): Promise<string | undefined>;
  /** Pulls what is missing of `images` (built or loaded ones are present already). */
  ensureImages(images: string[], progress: UpdateProgress): Promise<void>;
  /** `images check` of the stack these images would render; rejects with its refusal. */
  checkImages(images: ServiceImages): Promise<void>;
  /** The migration names in the backend image, in order. */
  imageMigrations(image: string): Promise<string[]>;
  /** The migrations recorded as applied in the database. */
  appliedMigrations(): Promise<string[]>;
  /** Stops the app services (backend, frontend, nginx): the database is quiet then. */
  stopApp(): Promise<void>;
  /** A verified safety snapshot of the stack's data; resolves with its id. */
  snapshot(progress: UpdateProgress): Promise<string>;
  /** Renders the stack (settings + compose) with these images; starts nothing. */
  renderImages(images: ServiceImages): Promise<void>;
  /** `up` of the rendered stack, migrations first, health-gated; rejects with the reason. */
  up(progress: UpdateProgress): Promise<void>;
  /**
   * Whether the new version really answers (its health route, the way users reach it), beyond
   * the healthcheck that gated the start: rejects with what it answered.
   */
  verifyAnswers(): Promise<void>;
  /** Removes the stack's containers (data kept). */
  down(): Promise<void>;
  /** Restores a snapshot into the stack (restore's own safety net and health gate). */
  restore(snapshotId: string, progress: UpdateProgress): Promise<void>;
  /** Removes an image no longer needed; failures are not the update's. */
  removeImage(image: string): Promise<void>;
  /** Tells the user an update was rolled back (an alert, a log line). */
  rolledBack(record: UpdateRecord): void;
}
