/** A small inline chart of `values` against `max` (the limit): a line, and the limit as the top edge. */
export function Sparkline({
  values,
  max,
  label,
  width = 120,
  height = 28,
}: {
  values: readonly (number | undefined)[];
  max: number;
  label: string;
  width?: number;
  height?: number;
}) {
  const top = max > 0 ? max : Math.max(1, ...values.map((v) => v ?? 0));
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
    const y = (height - 1 - (Math.min(value, top) / top) * (height - 2)).toFixed(1);
    d += `${pen ? 'L' : 'M'}${x} ${y}`;
    pen = true;
  });
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <line x1="0" y1="0.5" x2={width} y2="0.5" className="sparkline-limit" />
      {d && <path d={d} className="sparkline-line" vectorEffect="non-scaling-stroke" />}
    </svg>
  );
}
