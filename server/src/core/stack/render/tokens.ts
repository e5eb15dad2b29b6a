import { SERVICE_NAMES } from '../../stack-names.js';
import { memoryBytes } from '../compose-model.js';
import type { StackConfig } from '../config.js';

/**
 * The values the templates' {{tokens}} stand for. Every one is either a validated configuration
 * value (config.ts refuses anything a YAML, shell or nginx reader could misread) or built here from
 * such values and constants.
 */

const MIB = 1024 ** 2;

const LOG_LEVEL = { prod: 'info', dev: 'debug', test: 'warn' } as const;
const REDIS_LOG_LEVEL = { prod: 'notice', dev: 'verbose', test: 'warning' } as const;

/** Where users reach MediaNest: through nginx, on the domain or this machine. */
export function publicUrls(config: StackConfig): {
  publicUrl: string;
  apiUrl: string;
  wsUrl: string;
} {
  const tls = config.profiles.includes('tls');
  const host = config.domain ?? 'localhost';
  const port = tls ? config.httpsPort : config.httpPort;
  const suffix = port === (tls ? 443 : 80) ? '' : `:${port}`;
  const publicUrl = `${tls ? 'https' : 'http'}://${host}${suffix}`;
  return {
    publicUrl,
    apiUrl: `${publicUrl}/api`,
    wsUrl: `${tls ? 'wss' : 'ws'}://${host}${suffix}`,
  };
}

/**
 * Memory-derived tuning. PostgreSQL gets a quarter of its limit as shared buffers and plans for
 * three quarters as cache (the seed's 256MB/1GB at the default 1G); Redis evicts at three
 * quarters of its limit, so it never reaches the kernel's OOM killer (64mb at most in test, as
 * the seed's test stack).
 */
function memoryTuning(
  config: StackConfig,
  limits: Readonly<Record<string, string>>,
): Record<string, string> {
  const mib = (service: 'postgres' | 'redis'): number =>
    Math.floor((memoryBytes(limits[service] ?? '') ?? 512 * MIB) / MIB);
  const redis = Math.max(8, Math.floor(mib('redis') * 0.75));
  return {
    postgresSharedBuffers: `${Math.max(16, Math.floor(mib('postgres') / 4))}MB`,
    postgresEffectiveCacheSize: `${Math.max(32, Math.floor((mib('postgres') * 3) / 4))}MB`,
    redisMaxMemory: `${config.environment === 'test' ? Math.min(64, redis) : redis}mb`,
  };
}

/**
 * Every token's value. `limits` holds each service's final memory limit (template value or the
 * user's override), which the tuning follows.
 */
export function templateTokens(
  config: StackConfig,
  stackDir: string,
  limits: Readonly<Record<string, string>>,
): Record<string, string> {
  const tokens: Record<string, string> = {
    environment: config.environment,
    dataDir: config.dataDir,
    stackDir,
    httpPort: String(config.httpPort),
    httpsPort: String(config.httpsPort),
    httpsPortSuffix: config.httpsPort === 443 ? '' : `:${config.httpsPort}`,
    serverName: config.domain ?? '_',
    logLevel: LOG_LEVEL[config.environment],
    redisLogLevel: REDIS_LOG_LEVEL[config.environment],
    ...publicUrls(config),
    ...memoryTuning(config, limits),
  };
  if (config.domain !== undefined) tokens['domain'] = config.domain;
  if (config.email !== undefined) tokens['email'] = config.email;
  for (const service of SERVICE_NAMES) tokens[`images.${service}`] = config.images[service];
  return tokens;
}
