/**
 * A small inline chart of `values` against `max` (the limit): a line, and the limit as a dashed top
 * edge, named by `limitLabel` when given (a dashed line nobody explains reads as a bug).
 */
export function Sparkline({
  values,
  max,
  label,
  limit = max,
  limitLabel,
  width = 120,
  height = 28,
}: {
  values: readonly (number | undefined)[];
  max: number;
  label: string;
  /** Where the dashed line sits; the top (`max`) unless the chart may rise above it. */
  limit?: number;
  limitLabel?: string | undefined;
  width?: number;
  height?: number;
}) {
  const top = max > 0 ? max : Math.max(1, ...values.map((v) => v ?? 0));
  const yOf = (value: number) => height - 1 - (Math.min(value, top) / top) * (height - 2);
  const limitY = limit >= top ? 0.5 : yOf(limit);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  // A missing value (the service was stopped) breaks the line: a gap, not a zero.
  let d = '';
  let pen = false;
  values.forEach((value, i) => {
    if (value === undefined) {
      pen = false;
      return;
    }
    const x = (i * step).toFixed(1);
    const y = yOf(value).toFixed(1);
    d += `${pen ? 'L' : 'M'}${x} ${y}`;
    pen = true;
  });
  const chart = (
    <svg
      className="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={limitLabel ? `${label}; dashed line: ${limitLabel}` : label}
    >
      <title>{limitLabel ? `${label}. Dashed line: ${limitLabel}` : label}</title>
      {limit > 0 && <line x1="0" y1={limitY} x2={width} y2={limitY} className="sparkline-limit" />}
      {d && <path d={d} className="sparkline-line" vectorEffect="non-scaling-stroke" />}
    </svg>
  );
  if (!limitLabel || limit <= 0) return chart;
  return (
    <div className="sparkline-box">
      {chart}
      <span
        className="sparkline-limit-label"
        aria-hidden="true"
        style={{ top: `calc(${((limitY / height) * 100).toFixed(1)}% + 2px)` }}
      >
        {limitLabel}
      </span>
    </div>
  );
}
