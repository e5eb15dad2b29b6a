import { z } from 'zod';

export const HttpMethodSchema = z.enum(['GET', 'POST', 'PUT', 'DELETE']);
export type HttpMethod = z.infer<typeof HttpMethodSchema>;

/** One API route: the server registers and validates it from here; the typed client calls it from here. */
export interface RouteDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  path: `/api/${string}`;
  /** Query (GET) or JSON body (other methods). */
  input: I;
  output: O;
  /**
   * False only for the liveness probe and the ways to sign in (which answer nothing but whether
   * the caller is signed in, or, pairing with a code, a device's token): everything else needs the
   * token, a session or a paired device's token.
   */
  auth: boolean;
}

/** The input of a route that takes none. */
const NoInputSchema = z.object({});

/**
 * One entry of the route table: `input` is left out for a route that takes none, `auth` for one
 * that needs the token or a session (every route but the few that say `auth: false`).
 */
export function route<O extends z.ZodType, I extends z.ZodType = typeof NoInputSchema>(
  method: HttpMethod,
  path: `/api/${string}`,
  schemas: { input?: I; output: O; auth?: boolean },
): RouteDef<I, O> {
  return {
    method,
    path,
    // Without an input schema, I is its default: the no-input schema.
    input: schemas.input ?? (NoInputSchema as z.ZodType as I),
    output: schemas.output,
    auth: schemas.auth ?? true,
  };
}
