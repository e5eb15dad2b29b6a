import { useEffect, useState } from 'react';

/** How long a success message stays: long enough to read twice, short enough not to go stale. */
export const SUCCESS_SHOWN_MS = 6000;

interface Armed {
  shown: boolean;
  key: unknown;
  expired: boolean;
}

/**
 * Whether a success message is still shown: from when `shown` turns true (or `key`, the job or
 * save it reports, changes) until `ms` later. Only for success: an error stays until what it
 * describes changes, since the user has to act on it.
 */
export function useExpiringMessage(
  shown: boolean,
  key: unknown = undefined,
  ms = SUCCESS_SHOWN_MS,
): boolean {
  const [armed, setArmed] = useState<Armed>({ shown, key, expired: false });
  const current = armed.shown === shown && Object.is(armed.key, key);
  // A new message starts its own time, decided during render so it never flashes as expired.
  if (!current) setArmed({ shown, key, expired: false });

  useEffect(() => {
    if (!shown) return;
    const timer = setTimeout(
      () =>
        setArmed((a) => (a.shown === shown && Object.is(a.key, key) ? { ...a, expired: true } : a)),
      ms,
    );
    return () => clearTimeout(timer);
  }, [shown, key, ms]);

  return shown && !(current && armed.expired);
}
