import type { z } from 'zod';
import { route } from './route-def.js';

/**
 * The three routes of a check that also runs on a schedule (the app's release check, the stack's
 * update check), named `<name>`, `<name>Check` and `<name>Settings`:
 * - GET `path`: the last report from the store, never a fresh check;
 * - POST `path/check`: checks now and answers in the request (what did not answer is said in the
 *   report, never an error);
 * - PUT `path/settings`: the whole settings object (the schedule among them), validated per field.
 */
export function scheduledCheckRoutes<N extends string, R extends z.ZodType, S extends z.ZodType>(
  name: N,
  path: `/api/${string}`,
  report: R,
  settings: S,
) {
  const read = route('GET', path, { output: report });
  const check = route('POST', `${path}/check`, { output: report });
  const put = route('PUT', `${path}/settings`, { input: settings, output: report });
  return { [name]: read, [`${name}Check`]: check, [`${name}Settings`]: put } as Record<
    N,
    typeof read
  > &
    Record<`${N}Check`, typeof check> &
    Record<`${N}Settings`, typeof put>;
}
