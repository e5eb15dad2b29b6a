// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Choice } from './Choice';

afterEach(cleanup);

describe('a choice', () => {
  it('shows its title in bold and its line in plain words under it', () => {
    render(
      <Choice type="radio" name="env" title="Production" plain="For everyday use." readOnly />,
    );
    expect(screen.getByRole('radio', { name: /Production/ })).toBeTruthy();
    expect(document.querySelector('.choice strong')?.textContent).toBe('Production');
    expect(document.querySelector('.choice-plain')?.textContent).toBe('For everyday use.');
  });

  it('has no empty plain-words line when the title says it all', () => {
    render(<Choice type="checkbox" title="Every day" readOnly />);
    expect(screen.getByRole('checkbox', { name: 'Every day' })).toBeTruthy();
    expect(document.querySelector('.choice-plain')).toBeNull();
  });
});
