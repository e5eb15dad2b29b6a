import type { LogLine } from '@contract';
import { highlight } from './highlight';

/** Characters before the text on a wrapped row: time (12), service (at least 6), level, and gaps. */
export function prefixChars(line: LogLine): number {
  return 12 + 1 + Math.max(6, line.service.length) + 1 + (line.level?.length ?? 0) + 1;
}

/**
 * One log line on one row: time, service, level, text (cut with an ellipsis unless the view wraps;
 * the title has it all). The colour follows the level, not the stream: PostgreSQL writes its
 * ordinary `LOG:` lines to stderr, and they are not errors.
 */
export function LogRow({ line, query }: { line: LogLine; query: string }) {
  return (
    <div
      className={`log-line level-${line.level ?? 'none'} stream-${line.stream}`}
      title={line.text}
    >
      <span className="log-time">{line.time.slice(11, 23)}</span>
      <span className="log-service">{line.service}</span>
      <span className="log-level">{line.level ?? ''}</span>
      <span className="log-text">{highlight(line.text, query)}</span>
    </div>
  );
}
