import { useState } from 'react';

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
  const tail = recoveryKey.replace(/[^A-Za-z0-9]/g, '').slice(-6);
  const matches = typed.replace(/[^A-Za-z0-9]/g, '').toUpperCase() === tail.toUpperCase();
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
      <p>
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print it
        </button>
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
