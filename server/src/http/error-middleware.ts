import type { ErrorRequestHandler } from 'express';
import type { ErrorBody, ErrorCode } from '../contract/errors.js';
import { AppError, toAppError } from '../core/app-error.js';

/** The one mapping from error code to HTTP status. */
export const STATUS_OF: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  payload_too_large: 413,
  not_found: 404,
  conflict: 409,
  busy: 409,
  engine_unavailable: 503,
  not_implemented: 501,
  internal: 500,
  wrong_key: 422,
  corrupt: 422,
  unsupported_format: 422,
  unsafe_entry: 422,
  not_an_archive: 422,
  backup_failed: 500,
  restore_failed: 500,
  insufficient_space: 507,
  certificate_changed: 502,
  appliance_unreachable: 502,
};

/**
 * body-parser's own errors carry a status and a type: a body over the limit is told apart from one
 * that is not JSON, so a user who pasted something huge is not told their JSON is wrong.
 */
function parserErrorOf(error: unknown): AppError | undefined {
  if (error instanceof AppError) return undefined;
  const parser = error as { type?: unknown; status?: unknown; limit?: unknown } | null;
  if (typeof parser?.type !== 'string' || typeof parser.status !== 'number') return undefined;
  if (parser.type === 'entity.too.large') {
    const mb = typeof parser.limit === 'number' ? Math.round(parser.limit / 1024 / 1024) : 1;
    return new AppError('payload_too_large', `The request body is larger than ${mb} MB.`);
  }
  return new AppError('bad_request', 'The request body is not valid JSON.');
}

export type ErrorLogger = (error: AppError) => void;

export const ENGINE_UNAVAILABLE_MESSAGE =
  'Docker is not running or cannot be reached, so this could not be done. Start Docker (the setup page says how), then try again.';

/** While Docker stays down every page load is refused the same way: say it once a minute. */
const ENGINE_LOG_EVERY_MS = 60_000;

export function errorMiddleware(
  log: ErrorLogger,
  now: () => number = Date.now,
): ErrorRequestHandler {
  let lastEngineLog: { message: string; at: number } | undefined;
  const logEngineDown = (error: AppError): void => {
    const at = now();
    if (lastEngineLog?.message === error.message && at - lastEngineLog.at < ENGINE_LOG_EVERY_MS) {
      return;
    }
    lastEngineLog = { message: error.message, at };
    log(error);
  };
  return (error: unknown, _req, res, next) => {
    // A response already under way (an event stream) cannot become an error answer: let express
    // close the connection.
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = parserErrorOf(error) ?? toAppError(error);
    // The engine's messages are written for the CLI (errno codes, "run the command again"): the
    // app gets plain words, and the technical one goes to the log.
    const engineDown = appError.code === 'engine_unavailable';
    if (appError.code === 'internal') log(appError);
    if (engineDown) logEngineDown(appError);
    const body: ErrorBody = {
      error: {
        code: appError.code,
        message: engineDown ? ENGINE_UNAVAILABLE_MESSAGE : appError.message,
        ...(appError.details ? { details: appError.details } : {}),
      },
    };
    const retryAfter = appError.details?.retryAfterSeconds;
    if (appError.code === 'rate_limited' && typeof retryAfter === 'number') {
      res.setHeader('Retry-After', String(retryAfter));
    }
    res.status(STATUS_OF[appError.code]).json(body);
  };
}
