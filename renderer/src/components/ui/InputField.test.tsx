// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useState } from 'react';
import { InputField } from './InputField';

afterEach(cleanup);

function Form({ error }: { error?: string }) {
  const [value, setValue] = useState('03:00');
  return (
    <>
      <InputField
        id="daily.time"
        label="Daily at (24-hour)"
        hint="Hours and minutes"
        error={error}
        inputMode="numeric"
        value={value}
        onValue={setValue}
      />
      <output data-testid="value">{value}</output>
    </>
  );
}

describe('an input field', () => {
  it('is found by its label, shows its value and passes on what is typed', () => {
    render(<Form />);
    const input = screen.getByLabelText<HTMLInputElement>('Daily at (24-hour)');
    expect(input.value).toBe('03:00');
    expect(input.getAttribute('inputmode')).toBe('numeric');
    fireEvent.change(input, { target: { value: '04:30' } });
    expect(screen.getByTestId('value').textContent).toBe('04:30');
    expect(input.getAttribute('aria-invalid')).toBe('false');
    expect(input.getAttribute('aria-describedby')).toBe('daily.time-hint');
  });

  it('shows the server’s message under the input, linked for screen readers', () => {
    render(<Form error="use HH:MM" />);
    const input = screen.getByLabelText('Daily at (24-hour)');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe('daily.time-hint daily.time-error');
    expect(document.getElementById('daily.time-error')?.textContent).toBe('use HH:MM');
  });
});
