import { describe, expect, it } from 'vitest';
import { explainCertbotFailure, parseCertbotAttempt } from './letsencrypt-attempt.js';

/** What certbot 2.1 printed, run by certbot-loop.sh on a machine without internet (the rig). */
const OFFLINE_CERTONLY = `Saving debug log to /var/log/letsencrypt/letsencrypt.log
An unexpected error occurred:
requests.exceptions.ConnectionError: HTTPSConnectionPool(host='acme-v02.api.letsencrypt.org', port=443): Max retries exceeded with url: /directory (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f89aa680cd0>: Failed to establish a new connection: [Errno -2] Name or service not known'))
Ask for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.`;

const OFFLINE_RENEW = `Saving debug log to /var/log/letsencrypt/letsencrypt.log

- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
Processing /etc/letsencrypt/renewal/example.test.conf
- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
Failed to renew certificate example.test with error: HTTPSConnectionPool(host='acme-v02.api.letsencrypt.org', port=443): Max retries exceeded with url: /directory (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7fd495fd9290>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution'))
All renewals failed. The following certificates could not be renewed:
  /etc/letsencrypt/live/example.test/fullchain.pem (failure)
1 renew failure(s), 0 parse failure(s)
Ask for help or search for solutions at https://community.letsencrypt.org.`;

const REFUSED = `Certbot failed to authenticate some domains (authenticator: webroot). The Certificate Authority reported these problems:
  Domain: media.example.org
  Type:   unauthorized
  Detail: 203.0.113.7: Invalid response from http://media.example.org/.well-known/acme-challenge/x: 404

Hint: The Certificate Authority failed to download the temporary challenge files created by Certbot.
Some challenges have failed.`;

const RATE_LIMITED = `An unexpected error occurred:
Error creating new order :: too many certificates already issued for exact set of domains: media.example.org: see https://letsencrypt.org/docs/rate-limits/`;

const record = (command: string, output: string, result = 'failed') =>
  `result=${result}\nat=2026-12-07T18:30:05Z\ncommand=${command}\nexit=1\ndomain=example.test\nretry_seconds=3600\n--\n${output}\n`;

describe("certbot's record of its last attempt", () => {
  it('parses the fields and keeps the output lines', () => {
    const attempt = parseCertbotAttempt(record('certonly', OFFLINE_CERTONLY));
    expect(attempt).toMatchObject({
      result: 'failed',
      command: 'certonly',
      exitCode: 1,
      domain: 'example.test',
      retrySeconds: 3600,
    });
    expect(attempt?.at.toISOString()).toBe('2026-12-07T18:30:05.000Z');
    expect(attempt?.output).toHaveLength(4);
  });

  it('is no record when a field is missing or unknown', () => {
    expect(parseCertbotAttempt('')).toBeUndefined();
    expect(parseCertbotAttempt(record('revoke', ''))).toBeUndefined();
    expect(parseCertbotAttempt(record('renew', '', 'maybe'))).toBeUndefined();
    expect(
      parseCertbotAttempt(record('renew', '').replace(/^at=.*$/m, 'at=yesterday')),
    ).toBeUndefined();
  });

  it.each([
    ['certonly', OFFLINE_CERTONLY, 'offline', /\[Errno -2\] Name or service not known/],
    ['renew', OFFLINE_RENEW, 'offline', /^Failed to renew certificate example\.test/],
    ['certonly', REFUSED, 'refused', /^Detail: .*Invalid response/],
    ['certonly', RATE_LIMITED, 'rate-limited', /too many certificates/],
    ['renew', 'Traceback: KeyError', 'other', /KeyError/],
  ])('explains a failed %s as %s, quoting certbot', (command, output, cause, line) => {
    const attempt = parseCertbotAttempt(record(command, output));
    if (!attempt) throw new Error('not parsed');
    const failure = explainCertbotFailure(attempt);
    expect(failure.cause).toBe(cause);
    expect(failure.said).toMatch(line);
    // urllib3's object addresses mean nothing to a user.
    expect(failure.said).not.toMatch(/0x[0-9a-f]{6,}/);
  });
});
