import { describe, expect, it } from 'vitest';
import { formatDoctorReport } from './doctor-output.js';

describe('the doctor report in a terminal', () => {
  it('gives the command line advice (with its flag) where a check has one', () => {
    const text = formatDoctorReport({
      ready: false,
      checkedAt: '2026-12-07T06:00:00.000Z',
      engine: null,
      checks: [
        {
          id: 'ports.http',
          title: 'Port 80 (HTTP)',
          status: 'fail',
          summary: 'Port 80 is already in use by apache2 (pid 812).',
          fix: 'Stop the program that uses port 80, or choose another HTTP port for MediaNest.',
          cliFix:
            'Stop the program that uses port 80, or choose another port for MediaNest (--http-port N).',
        },
        { id: 'memory', title: 'Memory', status: 'warn', summary: 'Little.', fix: 'Add memory.' },
      ],
    });
    expect(text).toContain(
      '-> Stop the program that uses port 80, or choose another port for MediaNest (--http-port N).',
    );
    expect(text).not.toContain('choose another HTTP port');
    expect(text).toContain('-> Add memory.');
  });
});
