import type { ErrorCode } from '../contract/errors.js';

/**
 * The one error type of the server. Anything thrown elsewhere is turned into one by `toAppError`,
 * so every failure reaches a user with a code and a plain message, never a stack trace.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('internal', 'Something went wrong inside the appliance server.', undefined, {
    cause: error,
  });
}
