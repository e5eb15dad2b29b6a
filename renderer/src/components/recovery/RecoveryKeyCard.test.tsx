// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lastCharacters, RecoveryKeyCard } from './RecoveryKeyCard';

afterEach(cleanup);

const KEY = 'MNRK-ABCD-EFGH-JK23-4567';

describe('the recovery key card', () => {
  it('takes the last 6 letters or digits of the key, dashes left out', () => {
    expect(lastCharacters(KEY)).toBe('234567');
    expect(lastCharacters('abcd-ef-gh')).toBe('cdefgh');
  });

  it('lets the user go on only once they typed the end of the key, in any case or grouping', () => {
    const confirmed = vi.fn();
    render(<RecoveryKeyCard recoveryKey="MNRK-ABCD-EFGH-JKLM-NPQR" onConfirmed={confirmed} />);
    const done = screen.getByRole<HTMLButtonElement>('button', {
      name: 'I have saved my recovery key',
    });
    const typed = screen.getByLabelText(/type its last 6 letters or digits/);
    fireEvent.change(typed, { target: { value: 'LMNPQ' } });
    expect(done.disabled).toBe(true);
    expect(screen.getByText('That does not match the end of the key.')).toBeTruthy();
    fireEvent.change(typed, { target: { value: 'lm-npqr' } });
    expect(done.disabled).toBe(false);
    fireEvent.click(done);
    expect(confirmed).toHaveBeenCalledOnce();
  });
});
