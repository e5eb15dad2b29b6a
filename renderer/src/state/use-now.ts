import { useEffect, useState } from 'react';

/**
 * The time now, ticking every `everyMs` while `active`: a time so far or an age ("5 min ago")
 * moves without any event.
 */
export function useNow(active: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
  return now;
}
