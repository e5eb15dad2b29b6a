import type { FileSystem } from '../file-system.js';
import { isRotatable, NOT_ROTATABLE } from './rotation-specs.js';
import { readRotationState, type RotationState } from './rotation-state.js';
import { listSecrets, type SecretListing } from './secret-store.js';

/** A secret as `secrets list` shows it: never its value. */
export interface SecretStatus extends SecretListing {
  rotatable: boolean;
  notRotatableBecause?: string;
  /** jwt_secret_rotation: the previous jwt_secret is accepted until then. */
  graceUntil?: string;
  /** A rotation of it stopped half-way; the next rotation finishes it first. */
  unfinishedRotation?: boolean;
}

/** Names, ages and consumers (secret-store's listing) with what rotation knows about each. */
export async function listSecretStatus(
  fs: FileSystem,
  location: { stackDir: string; secretsDir: string },
  now: Date,
): Promise<SecretStatus[]> {
  // A damaged state file is reported by the next rotation; the listing still answers.
  const state = await readRotationState(fs, location.stackDir).catch((): RotationState => ({}));
  const grace = state.jwtGraceUntil && Date.parse(state.jwtGraceUntil) > now.getTime();
  return (await listSecrets(fs, location.secretsDir, now)).map((listing) => {
    const reason = NOT_ROTATABLE[listing.name as keyof typeof NOT_ROTATABLE] as string | undefined;
    return {
      ...listing,
      rotatable: isRotatable(listing.name),
      ...(reason ? { notRotatableBecause: reason } : {}),
      ...(grace && listing.name === 'jwt_secret_rotation'
        ? { graceUntil: state.jwtGraceUntil }
        : {}),
      ...(state.pending?.name === listing.name ? { unfinishedRotation: true } : {}),
    };
  });
}
