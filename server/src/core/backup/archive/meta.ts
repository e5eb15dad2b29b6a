/**
 * The `meta` a backup records in its manifest, as a restore may use it. The format stores meta as
 * given and the manifest is only authenticated, not trusted: an archive that comes with its
 * recovery key (from another machine, or a stolen key) can say anything there. A restore runs as
 * root and builds paths and owners from these values, so every one passes this schema first.
 */
import { z } from 'zod';
import { AppError } from '../../app-error.js';

/**
 * The stateful folders a backup can carry (`statefulFolders` of the rendered templates' bind
 * folders; backup-contents.test.ts keeps the two in step). Any other name is refused: a name is
 * joined onto the staging and data folders.
 */
export const KNOWN_FOLDERS = [
  'certbot/conf',
  'certbot/www',
  'downloads',
  'grafana',
  'pgadmin',
  'prometheus',
  'uploads',
] as const;

/**
 * The largest id chown takes as an id (2^32-1 means "leave unchanged" to it). Ids above 2^31 are
 * real: NFS maps unknown owners to 4294967294, and a backup of such a folder must still restore.
 */
const MAX_ID = 2 ** 32 - 2;
const id = z.int().min(0).max(MAX_ID);

export const FolderOwnerSchema = z.strictObject({
  uid: id,
  gid: id,
  // Permission bits only, as folderOwners records them: no setuid, setgid or sticky bit.
  mode: z.int().min(0).max(0o777),
});

export const ArchiveMetaSchema = z.object({
  appVersion: z
    .string()
    .max(64)
    .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII')
    .optional(),
  kind: z.string().max(32).optional(),
  postgresMajor: z.int().min(1).max(999).optional(),
  rowCounts: z
    .record(z.string().min(1).max(512), z.int().min(0))
    .refine((counts) => Object.keys(counts).length <= 10_000, 'lists too many tables')
    .optional(),
  redisKeys: z.int().min(0).optional(),
  redisAppendOnly: z.boolean().optional(),
  folders: z.partialRecord(z.enum(KNOWN_FOLDERS), FolderOwnerSchema).optional(),
  // Recorded for a person reading the manifest; a restore never uses it.
  settings: z.record(z.string(), z.unknown()).optional(),
});
/** Unknown keys (a later version's additions) are dropped, never used. */
export type ArchiveMeta = z.infer<typeof ArchiveMetaSchema>;
export type FolderOwner = z.infer<typeof FolderOwnerSchema>;

/** Where an issue lies, as a user reads it: `meta.folders["../x"]`, `meta.folders.uploads.uid`. */
function fieldOf(path: readonly PropertyKey[]): string {
  return ['meta', ...path]
    .map((part, index) =>
      index === 0
        ? String(part)
        : typeof part === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part)
          ? `.${part}`
          : `[${JSON.stringify(String(part)).slice(0, 80)}]`,
    )
    .join('');
}

/**
 * The archive's meta, checked; throws `unsafe_entry` naming the first bad field. Nothing has been
 * touched when it throws.
 */
export function parseArchiveMeta(raw: unknown): ArchiveMeta {
  const parsed = ArchiveMetaSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // A key a map refuses is named itself, not the map that holds it.
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = fieldOf(key === undefined ? issue.path : [...issue.path, key]);
  const why =
    key === undefined
      ? issue.message
      : issue.path.length === 1 && issue.path[0] === 'folders'
        ? `not a folder a backup holds (known: ${KNOWN_FOLDERS.join(', ')})`
        : 'unknown field';
  throw new AppError(
    'unsafe_entry',
    `The backup archive's metadata cannot be restored safely (${field}: ${why}).`,
    { field },
  );
}

/**
 * The recorded owner of the stateful folder an archive path (`files/<folder>/...`) lies in: the
 * longest known folder that holds it, so `files/certbot/conf/x` finds `certbot/conf`.
 */
export function ownerByFolder(
  owners: NonNullable<ArchiveMeta['folders']>,
  path: string,
): FolderOwner | undefined {
  let best: string | undefined;
  for (const folder of Object.keys(owners)) {
    const prefix = `files/${folder}`;
    if ((path === prefix || path.startsWith(`${prefix}/`)) && folder.length > (best?.length ?? -1))
      best = folder;
  }
  return best === undefined ? undefined : owners[best as keyof typeof owners];
}
