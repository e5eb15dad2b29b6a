import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { LogLine } from '@contract';
import { prefixChars } from './LogRow';

/** A narrow window (200 % zoom of a laptop screen) starts with wrapped lines: cut ones say little. */
const NARROW = '(max-width: 720px)';

export function startsWrapped(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(NARROW).matches;
}

interface Metrics {
  /** Width of one character of the log font, CSS pixels. */
  char: number;
  /** The row's own padding, left plus right. */
  padding: number;
}

/**
 * Row heights for a log list whose lines may wrap. The log font is monospaced, so how many rows a
 * line takes follows from its length and the list's width: no row has to be rendered and measured,
 * and the list can still render only what is in view. A probe in the log font gives the character
 * width, measured again when it changes (a font setting; zoom changes the list's width instead).
 */
export function useWrappedRows(wrap: boolean, rowHeight: number) {
  const probe = useRef<HTMLDivElement>(null);
  const [metrics, setMetrics] = useState<Metrics>();

  useLayoutEffect(() => {
    const el = probe.current;
    const text = el?.firstElementChild;
    if (!wrap || !el || !text) return;
    const measure = () => {
      const char = text.getBoundingClientRect().width / 10;
      const style = getComputedStyle(el);
      const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
      setMetrics((m) =>
        m?.char === char && m.padding === padding
          ? m
          : { char, padding: Number.isFinite(padding) ? padding : 0 },
      );
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(text);
    return () => observer.disconnect();
  }, [wrap]);

  const heightOf = useCallback(
    (rows: readonly (LogLine | undefined)[]) => {
      if (!wrap || !metrics || metrics.char <= 0) return undefined;
      return (index: number, width: number): number => {
        const line = rows[index];
        if (!line) return rowHeight;
        const perRow = Math.max(20, Math.floor((width - metrics.padding) / metrics.char));
        const chars = prefixChars(line) + line.text.length;
        return Math.max(1, Math.ceil(chars / perRow)) * rowHeight;
      };
    },
    [wrap, metrics, rowHeight],
  );

  return { probe, heightOf };
}
