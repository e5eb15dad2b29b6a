import type { LogLine } from '../../../server/src/contract/index.js';
import { highlight } from './highlight';

/** One log line on one row: time, service, level, text (cut with an ellipsis; the title has it all). */
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
