import { z } from 'zod';

/** Every error code the API can answer with. The HTTP status for each lives in one table on the server. */
export const ErrorCodeSchema = z.enum([
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'rate_limited',
  // A request body over the API's size limit (1 MB of JSON).
  'payload_too_large',
  'not_found',
  'conflict',
  'busy',
  'engine_unavailable',
  'not_implemented',
  'internal',
  // Backups: a recovery key that does not open the archive, a damaged one, one from a newer app, an
  // entry that would escape staging, a file that is no backup; and a backup or restore that failed.
  'wrong_key',
  'corrupt',
  'unsupported_format',
  'unsafe_entry',
  'not_an_archive',
  'backup_failed',
  'restore_failed',
  'insufficient_space',
  // A paired appliance (issue 21): it presents another certificate than the one pinned at pairing,
  // or it cannot be reached.
  'certificate_changed',
  'appliance_unreachable',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The body of every error response: `{ error: { code, message, details? } }`. Never a stack trace. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** What a caught value says, for a message to a person: an Error's message, anything else as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
