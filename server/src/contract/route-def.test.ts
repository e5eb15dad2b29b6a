import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { route } from './route-def.js';
import { routes } from './routes.js';

describe('a route of the table', () => {
  it('takes no input and needs the token or a session unless it says otherwise', () => {
    const def = route('GET', '/api/things', { output: z.array(z.string()) });
    expect(def).toMatchObject({ method: 'GET', path: '/api/things', auth: true });
    expect(def.input.parse({})).toEqual({});
  });

  it('is open only for the liveness probe and the ways to sign in (a password, a pairing code)', () => {
    const open = Object.entries(routes).flatMap(([name, def]) => (def.auth ? [] : [name]));
    expect(open.sort()).toEqual(['authLogin', 'authSession', 'health', 'pair']);
  });
});
