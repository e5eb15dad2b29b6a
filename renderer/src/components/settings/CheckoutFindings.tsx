import type { ReactNode } from 'react';
import type { CheckoutFinding } from '@contract';

/** The server's words with their `backquoted` names (files, commands) set as code. */
export function coded(text: string): ReactNode[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

/**
 * A build refused before it started, because MediaNest's own files have known defects: each one
 * where it is, what goes wrong, and what the user can do, in a list rather than one long line.
 */
export function CheckoutFindings({ findings }: { findings: readonly CheckoutFinding[] }) {
  const count = findings.length === 1 ? 'a known defect' : `${findings.length} known defects`;
  return (
    <div className="checkout-findings" role="alert">
      <p className="error">This checkout cannot be built as it is.</p>
      <p>
        MediaNest&apos;s own files have {count} that would stop the build, so nothing was built:
      </p>
      <ol>
        {findings.map((finding, i) => (
          <li key={i} data-defect={finding.code}>
            <p>
              <strong>
                {finding.file}
                {finding.line === undefined ? '' : `, line ${finding.line}`}
              </strong>
              : {coded(finding.problem)}
            </p>
            <p className="fix">What to do: {coded(finding.action)}</p>
          </li>
        ))}
      </ol>
    </div>
  );
}
