import { posix } from 'node:path';
import { z } from 'zod';
import { AppError } from '../app-error.js';
import { readJsonFile, type FileSystem } from '../file-system.js';
import { ROTATABLE_SECRETS } from './rotation-specs.js';

/**
 * `<home>/stack/rotation.json` (0600): what the appliance must remember between rotations. It
 * holds names and times only, never a value: the values stay in the secret files.
 */

export const ROTATION_STATE_FILE = 'rotation.json';

const RotationStateSchema = z.strictObject({
  /** Until then jwt_secret_rotation holds the previous jwt_secret, so its sessions stay valid. */
  jwtGraceUntil: z.iso.datetime().optional(),
  /**
   * A rotation that stopped half-way (the process died, or undoing a failure failed too). The
   * canonical file is then the truth: the next rotation first makes the service and the
   * rendered stack agree with it again.
   */
  pending: z
    .strictObject({ name: z.enum(ROTATABLE_SECRETS), startedAt: z.iso.datetime() })
    .optional(),
});
export type RotationState = z.infer<typeof RotationStateSchema>;

const path = (stackDir: string): string => posix.join(stackDir, ROTATION_STATE_FILE);

export async function readRotationState(fs: FileSystem, stackDir: string): Promise<RotationState> {
  const file = path(stackDir);
  const state = await readJsonFile(
    fs,
    file,
    RotationStateSchema,
    () =>
      new AppError(
        'conflict',
        `${file} is damaged. It only records a running JWT grace period and an unfinished rotation; remove it to carry on without them.`,
      ),
  );
  return state ?? {};
}

export async function writeRotationState(
  fs: FileSystem,
  stackDir: string,
  state: RotationState,
): Promise<void> {
  await fs.writeFile(path(stackDir), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}
