import { useEffect, useState } from 'react';
import type { ApiClient } from '@contract';
import { lastCharacters, RecoveryKeyCard } from './RecoveryKeyCard';

type Phase =
  | { kind: 'loading' }
  | { kind: 'show'; recoveryKey: string }
  | { kind: 'saved' }
  | { kind: 'error'; message: string };

/**
 * The recovery key, shown until the user confirms saving it and never after: at the end of the
 * install and on the backups page while it is still unconfirmed. `always` says so once confirmed.
 */
export function RecoveryKeyPanel({
  client,
  always,
  onPhase,
}: {
  client: ApiClient;
  always?: boolean;
  /** Told when the key is shown, saved or cannot be shown (the install's exits wait for it). */
  onPhase?: (kind: Phase['kind']) => void;
}) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  useEffect(() => onPhase?.(phase.kind), [phase.kind, onPhase]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const { state } = await client.recoveryKeyState();
        if (state === 'confirmed') {
          if (!cancelled) setPhase({ kind: 'saved' });
          return;
        }
        const { recoveryKey } = await client.revealRecoveryKey();
        if (!cancelled) setPhase({ kind: 'show', recoveryKey });
      } catch (error) {
        if (!cancelled) setPhase({ kind: 'error', message: (error as Error).message });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [client]);

  const confirm = async (recoveryKey: string): Promise<void> => {
    try {
      await client.confirmRecoveryKey({ lastCharacters: lastCharacters(recoveryKey) });
      setPhase({ kind: 'saved' });
    } catch (error) {
      setPhase({ kind: 'error', message: (error as Error).message });
    }
  };

  if (phase.kind === 'loading') return null;
  if (phase.kind === 'error') {
    return (
      <p className="card error" role="alert">
        The recovery key could not be shown: {phase.message}
      </p>
    );
  }
  if (phase.kind === 'saved') {
    return always ? (
      <p className="muted" data-testid="recovery-key-saved">
        Your recovery key is saved. It is not shown again: restoring on another computer needs your
        copy.
      </p>
    ) : null;
  }
  return (
    <RecoveryKeyCard
      recoveryKey={phase.recoveryKey}
      onConfirmed={() => void confirm(phase.recoveryKey)}
    />
  );
}
