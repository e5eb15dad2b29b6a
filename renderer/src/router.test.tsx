// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Link, matchPath, navigate, usePath } from './router';

afterEach(cleanup);
beforeEach(() => window.history.replaceState(null, '', '/'));

function Where() {
  return <p data-testid="where">{usePath()}</p>;
}

describe('the router', () => {
  it('matches paths with parameters, decoded, and nothing else', () => {
    expect(matchPath('/services/:name', '/services/postgres')).toEqual({ name: 'postgres' });
    expect(matchPath('/services/:name', '/services/a%20b/')).toEqual({ name: 'a b' });
    expect(matchPath('/services/:name', '/services')).toBeUndefined();
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/logs', '/')).toBeUndefined();
  });

  it('follows a plain click on a link in place, marking the current page', () => {
    render(
      <>
        <Link href="/logs">Logs</Link>
        <Where />
      </>,
    );
    const link = screen.getByRole('link', { name: 'Logs' });
    expect(link.getAttribute('href')).toBe('/logs');
    fireEvent.click(link);
    expect(screen.getByTestId('where').textContent).toBe('/logs');
    expect(window.location.pathname).toBe('/logs');
    expect(link.getAttribute('aria-current')).toBe('page');
  });

  it('leaves a ctrl-click to the browser (new tab)', () => {
    render(<Link href="/alerts">Alerts</Link>);
    const notPrevented = fireEvent.click(screen.getByRole('link', { name: 'Alerts' }), {
      ctrlKey: true,
    });
    // Not prevented: the browser does what ctrl-click does; the router does not take it over.
    expect(notPrevented).toBe(true);
  });

  it('goes back with the browser’s history', () => {
    render(<Where />);
    act(() => navigate('/backups'));
    expect(screen.getByTestId('where').textContent).toBe('/backups');
    act(() => window.history.back());
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(screen.getByTestId('where').textContent).toBe('/');
        resolve();
      }, 50),
    );
  });

  it('refuses to navigate off the app', () => {
    expect(() => navigate('//evil.example/')).toThrow('Not a path in the app');
  });
});
