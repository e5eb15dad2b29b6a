import {
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';

interface Props {
  count: number;
  /** Every row is this tall (CSS pixels): what makes windowing a division. */
  rowHeight: number;
  /**
   * When rows differ (wrapped lines): row `index`'s height for a list `width` pixels wide,
   * computed, never measured, so windowing stays a search in a running sum.
   */
  heightOf?: ((index: number, width: number) => number) | undefined;
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

/** The index of the last row whose top is at or above `y` (`tops` ascending, `tops[0]` 0). */
function rowAt(tops: Float64Array, count: number, y: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((tops[mid] ?? 0) <= y) low = mid;
    else high = mid - 1;
  }
  return Math.max(0, low);
}

/** A list that renders only the rows in view (plus a few), so 100 000 rows cost as much as 50. */
export function VirtualList({
  count,
  rowHeight,
  heightOf,
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
  const [width, setWidth] = useState(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      setHeight(el.clientHeight);
      setWidth(el.clientWidth);
    };
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    measure();
    return () => observer.disconnect();
  }, []);

  // Row tops as a running sum, only when rows differ in height; `version` stands for rows that
  // changed in place.
  const tops = useMemo(() => {
    if (!heightOf || width <= 0) return undefined;
    const sums = new Float64Array(count + 1);
    for (let i = 0; i < count; i += 1) sums[i + 1] = (sums[i] ?? 0) + heightOf(i, width);
    return sums;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- version marks rows changed in place
  }, [heightOf, width, count, version]);
  const topOf = (i: number) => (tops ? (tops[i] ?? 0) : i * rowHeight);
  const total = topOf(count);

  // Stuck to the bottom, where the view is follows from the count alone: no layout is read, and
  // the scroll position is only written (reading it after new rows would force a layout per frame).
  const bottom = Math.max(0, total - height);
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

  const first = Math.max(
    0,
    (tops ? rowAt(tops, count, top) : Math.floor(top / rowHeight)) - overscan,
  );
  const last = Math.min(
    count,
    (tops ? rowAt(tops, count, top + height) + 1 : Math.ceil((top + height) / rowHeight)) +
      overscan,
  );
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i += 1) {
    rows.push(
      <div key={i} className="vrow" style={{ top: topOf(i), height: topOf(i + 1) - topOf(i) }}>
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
      style={fit ? { height: `min(${total + 2}px, 30vh)`, minHeight: 0 } : undefined}
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
      <div className="vlist-space" style={{ height: total }}>
        {rows}
      </div>
    </div>
  );
}
