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
   * the caller is signed in): everything else needs the token or a session.
   */
  auth: boolean;
}
