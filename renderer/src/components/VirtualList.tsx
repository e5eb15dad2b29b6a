import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

interface Props {
  count: number;
  /** Every row is this tall (CSS pixels): what makes windowing a division. */
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  /** Keep the last row in view as rows arrive. */
  stickToBottom: boolean;
  /** The user scrolled up (wheel or keys) while it stuck to the bottom. */
  onScrolledAway?: () => void;
  /** Changes whenever rows change without `count` changing (a trimmed, full buffer). */
  version: number;
  label: string;
  overscan?: number;
  /** Shrink to fit when the rows take less than the usual height. */
  fit?: boolean;
}

const UP_KEYS = new Set(['ArrowUp', 'PageUp', 'Home']);

/** A list that renders only the rows in view (plus a few), so 100 000 rows cost as much as 50. */
export function VirtualList({
  count,
  rowHeight,
  renderRow,
  stickToBottom,
  onScrolledAway,
  version,
  label,
  overscan = 10,
  fit = false,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // Stuck to the bottom, where the view is follows from the count alone: no layout is read, and
  // the scroll position is only written (reading it after new rows would force a layout per frame).
  const bottom = Math.max(0, count * rowHeight - height);
  // Let go of the bottom (paused): stay where the view was, not where it last scrolled by hand.
  const [wasStuck, setWasStuck] = useState(stickToBottom);
  if (wasStuck !== stickToBottom) {
    setWasStuck(stickToBottom);
    if (!stickToBottom) setScrollTop(bottom);
  }
  const top = stickToBottom ? bottom : scrollTop;
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stickToBottom) el.scrollTop = bottom;
  }, [bottom, version, stickToBottom]);

  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i += 1) {
    rows.push(
      <div key={i} className="vrow" style={{ top: i * rowHeight, height: rowHeight }}>
        {renderRow(i)}
      </div>,
    );
  }
  const away = () => {
    if (stickToBottom) onScrolledAway?.();
  };
  return (
    <div
      ref={ref}
      className="vlist"
      style={fit ? { height: `min(${count * rowHeight + 2}px, 30vh)`, minHeight: 0 } : undefined}
      role="region"
      aria-label={label}
      tabIndex={0}
      onScroll={(e) => {
        if (!stickToBottom) setScrollTop(e.currentTarget.scrollTop);
      }}
      onWheel={(e) => {
        if (e.deltaY < 0) away();
      }}
      onKeyDown={(e: KeyboardEvent) => {
        if (UP_KEYS.has(e.key)) away();
      }}
    >
      <div className="vlist-space" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
