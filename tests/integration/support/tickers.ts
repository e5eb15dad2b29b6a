/**
 * Two containers that write `A1..A6` and `B1..B6` interleaved, for the tests of merged history: the
 * script a container runs, and the engine's own order of what they wrote.
 */

/** Prints `<prefix>1..6`, 200 ms apart from t0 + offset, then idles. */
export const ticker = (t0: number, prefix: string, offsetMs: number): string =>
  `const t0=${t0};let i=0;const tick=()=>{i++;console.log('${prefix}'+i);if(i<6)setTimeout(tick,t0+i*200+${offsetMs}-Date.now());};setTimeout(tick,t0+${offsetMs}-Date.now());setInterval(()=>{},1e6);`;

/** When the tickers start: far enough ahead that both containers run before the first tick. */
export const tickStart = (): number => Date.now() + 6000;

/** An engine stamp (RFC 3339, trailing zeros dropped) as a string that sorts by the nanosecond. */
const nanos = (time: string): string =>
  time.replace(/\.(\d+)Z$/, (_, f: string) => `.${f.padEnd(9, '0')}Z`);

/** Lines of several containers in the engine's order (two may share a millisecond under load). */
export const byEngineStamp = <L extends { time: string }>(lines: L[]): L[] =>
  [...lines].sort((a, b) => (nanos(a.time) < nanos(b.time) ? -1 : 1));

/**
 * The tickers interleave by design, but on a loaded machine a timer may fire late: the engine's stamps
 * say what the order is. Either way the two services are woven, not one after the other.
 */
export function woven(texts: string[]): boolean {
  return texts.indexOf('B1') < texts.indexOf('A6') && texts.indexOf('A2') < texts.indexOf('B6');
}
