// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { highlight } from './highlight';

afterEach(cleanup);

describe('search highlighting', () => {
  it('marks every occurrence, whatever its case, and keeps the rest of the text', () => {
    const { container } = render(
      <p>{highlight('Error: disk error on /data (ERROR 5)', 'error')}</p>,
    );
    expect([...container.querySelectorAll('mark')].map((m) => m.textContent)).toEqual([
      'Error',
      'error',
      'ERROR',
    ]);
    expect(container.textContent).toBe('Error: disk error on /data (ERROR 5)');
  });

  it('leaves text without a match untouched', () => {
    const { container } = render(<p>{highlight('all good', 'error')}</p>);
    expect(container.querySelector('mark')).toBeNull();
    expect(container.textContent).toBe('all good');
  });
});
