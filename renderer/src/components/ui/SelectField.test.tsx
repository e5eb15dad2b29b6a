// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { SelectField } from './SelectField';

afterEach(cleanup);

type Severity = 'info' | 'warning' | 'critical';
const SEVERITIES: { value: Severity; label: string }[] = [
  { value: 'info', label: 'Info and up' },
  { value: 'warning', label: 'Warnings and up' },
  { value: 'critical', label: 'Critical only' },
];

function Form({ error }: { error?: string }) {
  const [value, setValue] = useState<Severity>('warning');
  return (
    <>
      <SelectField
        id="minSeverity"
        label="Send alerts from"
        error={error}
        value={value}
        options={SEVERITIES}
        onValue={setValue}
      />
      <output data-testid="value">{value}</output>
    </>
  );
}

describe('a drop-down field', () => {
  it('lists its options in words, shows the value and passes on the one picked', () => {
    render(<Form />);
    const select = screen.getByLabelText<HTMLSelectElement>('Send alerts from');
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'Info and up',
      'Warnings and up',
      'Critical only',
    ]);
    expect(select.value).toBe('warning');
    fireEvent.change(select, { target: { value: 'critical' } });
    expect(screen.getByTestId('value').textContent).toBe('critical');
  });

  it('shows the server’s message under it, linked for screen readers', () => {
    render(<Form error="not a severity" />);
    const select = screen.getByLabelText('Send alerts from');
    expect(select.getAttribute('aria-invalid')).toBe('true');
    expect(select.getAttribute('aria-describedby')).toBe('minSeverity-error');
    expect(document.getElementById('minSeverity-error')?.textContent).toBe('not a severity');
  });
});
