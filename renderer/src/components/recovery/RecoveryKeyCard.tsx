import { useState } from 'react';

/** Saves the key as a small text file, with a line saying what it is for. */
function download(recoveryKey: string): void {
  const text = `MediaNest recovery key (needed to restore a backup on another computer):\n${recoveryKey}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'medianest-recovery-key.txt';
  link.click();
  // The click has handed the file to the browser; the object URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The key's last 6 letters or digits: what the user types to prove it is saved, and what the
 * server checks before it stops showing the key.
 */
export function lastCharacters(recoveryKey: string): string {
  return recoveryKey.replace(/[^A-Za-z0-9]/g, '').slice(-6);
}

/**
 * The recovery key, shown once: the user saves or prints it and proves it by typing its last
 * characters. Without it a backup cannot be restored on another computer.
 */
export function RecoveryKeyCard({
  recoveryKey,
  onConfirmed,
}: {
  recoveryKey: string;
  onConfirmed: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const matches =
    typed.replace(/[^A-Za-z0-9]/g, '').toUpperCase() === lastCharacters(recoveryKey).toUpperCase();
  return (
    <section className="card recovery-key" aria-labelledby="key-title">
      <h2 id="key-title">Your recovery key</h2>
      <p>
        Every backup is locked with this key. You need it to restore MediaNest on another computer,
        or after this one is lost. <strong>It is shown only now.</strong> Write it down, print it,
        or keep it in a password manager.
      </p>
      <p className="key printable-key" aria-label="Recovery key">
        <code>{recoveryKey}</code>
      </p>
      <p className="wizard-actions">
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void navigator.clipboard.writeText(recoveryKey).then(
              () => setCopied('copied'),
              () => setCopied('failed'),
            )
          }
        >
          Copy it
        </button>
        <button type="button" className="secondary" onClick={() => download(recoveryKey)}>
          Download it
        </button>
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print it
        </button>
        {copied !== 'idle' && (
          <span role="status" className={copied === 'copied' ? 'verdict-ok' : 'error'}>
            {copied === 'copied'
              ? 'Copied: paste it into your password manager.'
              : 'This browser did not allow copying: download or print it instead.'}
          </span>
        )}
      </p>
      <div className="field" data-field="keyConfirm">
        <label htmlFor="key-confirm">
          To confirm you saved it, type its last 6 letters or digits
        </label>
        <input
          id="key-confirm"
          autoComplete="off"
          spellCheck={false}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          aria-invalid={typed !== '' && !matches}
        />
        {typed !== '' && !matches && (
          <p className="field-error">That does not match the end of the key.</p>
        )}
      </div>
      <button type="button" disabled={!matches} onClick={onConfirmed}>
        I have saved my recovery key
      </button>
    </section>
  );
}
