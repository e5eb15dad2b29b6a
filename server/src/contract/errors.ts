import { z } from 'zod';

/** Every error code the API can answer with. The HTTP status for each lives in one table on the server. */
export const ErrorCodeSchema = z.enum([
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'not_found',
  'conflict',
  'busy',
  'engine_unavailable',
  'not_implemented',
  'internal',
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
