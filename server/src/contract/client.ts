import { ErrorBodySchema, type ErrorCode } from './errors.js';
import { routes, type RouteInput, type RouteName, type RouteOutput } from './routes.js';

/** An error answered by the API, re-thrown on the client as a real Error with its code. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | 'network',
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  /** Origin of the server, e.g. `http://127.0.0.1:7420`; empty for same-origin calls from the page. */
  baseUrl?: string;
  /** Per-launch token; omitted in a browser that holds a session cookie. */
  token?: string;
  fetch?: typeof fetch;
}

export type ApiClient = {
  [N in RouteName]: (input?: RouteInput<N>) => Promise<RouteOutput<N>>;
};

/** A typed client built from the route table: one function per route, validated on the way in. */
export function createApiClient(options: ClientOptions = {}): ApiClient {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const base = options.baseUrl ?? '';
  const call = async (name: RouteName, input: unknown): Promise<unknown> => {
    const route = routes[name];
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const rest: Record<string, unknown> = { ...((input ?? {}) as Record<string, unknown>) };
    // Path parameters come out of the input: "/api/jobs/:id" + { id } -> "/api/jobs/<id>".
    let url =
      base +
      route.path.replace(/:([a-zA-Z]+)/g, (_match, key: string) => {
        const value = rest[key];
        delete rest[key];
        return encodeURIComponent(String(value));
      });
    let body: string | undefined;
    if (route.method === 'GET') {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(
        rest as Record<string, string | number | boolean | undefined>,
      )) {
        if (value !== undefined) params.set(key, String(value));
      }
      const query = params.toString();
      if (query) url += `?${query}`;
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(rest);
    }
    let response: Response;
    try {
      response = await doFetch(url, {
        method: route.method,
        headers,
        body,
        credentials: 'same-origin',
      });
    } catch (cause) {
      throw new ApiError('network', `The server could not be reached (${String(cause)})`, 0);
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const parsed = ErrorBodySchema.safeParse(json);
      if (parsed.success) {
        const { code, message, details } = parsed.data.error;
        throw new ApiError(code, message, response.status, details);
      }
      throw new ApiError('internal', `The server answered ${response.status}`, response.status);
    }
    return route.output.parse(json);
  };
  const client: Record<string, (input?: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(routes) as RouteName[]) {
    client[name] = (input?: unknown) => call(name, input);
  }
  return client as ApiClient;
}
