'use strict';
// Configuration exactly as MediaNest's backend gathers it (reference/medianest-stack.md §2):
//  1. secrets-validator: reads process.env ONLY. JWT_SECRET (>=32), ENCRYPTION_KEY (>=32) and
//     DATABASE_URL (>=10) are always required, METRICS_TOKEN (>=20) in production; optional
//     JWT_SECRET_ROTATION (>=32) and PLEX_TOKEN (>=20). In production a value containing test, demo,
//     example, default, changeme, password, 123456, secret, development or dev (any case) is refused.
//  2. config layer: DATABASE_URL_FILE / REDIS_URL_FILE (file wins when it exists), and with
//     USE_DOCKER_SECRETS=true /run/secrets/<lowercase name> (DOCKER_SECRETS_PATH) for JWT_SECRET,
//     ENCRYPTION_KEY, PLEX_CLIENT_ID, PLEX_CLIENT_SECRET, METRICS_TOKEN. In production PLEX_CLIENT_ID
//     and PLEX_CLIENT_SECRET must be non-empty and JWT_SECRET must not be "dev-secret".
// Errors name the variable, never its value.
const fs = require('node:fs');
const path = require('node:path');

const SECRETS = [
  { env: 'JWT_SECRET', required: true, minLength: 32 },
  { env: 'ENCRYPTION_KEY', required: true, minLength: 32 },
  { env: 'JWT_SECRET_ROTATION', required: false, minLength: 32 },
  { env: 'DATABASE_URL', required: true, minLength: 10 },
  { env: 'PLEX_TOKEN', required: false, minLength: 20 },
  { env: 'METRICS_TOKEN', required: false, production: true, minLength: 20 },
];
const TEST_PATTERNS = [
  'test',
  'demo',
  'example',
  'default',
  'changeme',
  'password',
  '123456',
  'secret',
  'development',
  'dev',
];

function validateSecrets(env) {
  const production = env.NODE_ENV === 'production';
  const errors = [];
  for (const s of SECRETS) {
    const value = env[s.env];
    const required = s.required || (s.production && production);
    if (!value) {
      if (required) errors.push(`Missing required secret: ${s.env}`);
      continue;
    }
    if (value.length < s.minLength) {
      errors.push(
        `Secret too short: ${s.env} (length ${value.length}, required minimum ${s.minLength})`,
      );
    }
    const lower = value.toLowerCase();
    if (production && TEST_PATTERNS.some((p) => lower.includes(p))) {
      errors.push(`Production secret appears to be a test value: ${s.env}`);
    }
  }
  return errors;
}

function readFileIfSet(fileVar, env) {
  const file = env[fileVar];
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined; // like readSecretFromFile: a missing file falls back to the plain variable
  }
}

function readDockerSecret(name, envName, env) {
  if (env.USE_DOCKER_SECRETS === 'true') {
    const dir = env.DOCKER_SECRETS_PATH || '/run/secrets';
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8').trim();
    } catch {
      /* fall back to the environment */
    }
  }
  return env[envName];
}

class ConfigError extends Error {}

/**
 * Returns the effective configuration or throws ConfigError listing every problem. `release` is the
 * image's release.json: its version is the one the health routes report unless APP_VERSION is set.
 */
function loadConfig(env = process.env, release = { version: 'v1' }) {
  const errors = validateSecrets(env);
  const production = env.NODE_ENV === 'production';
  const cfg = {
    production,
    nodeEnv: env.NODE_ENV || 'development',
    port: Number(env.PORT || 4000),
    host: env.HOST || '0.0.0.0',
    version: env.APP_VERSION || release.version,
    databaseUrl: readFileIfSet('DATABASE_URL_FILE', env) ?? env.DATABASE_URL,
    redisUrl: readFileIfSet('REDIS_URL_FILE', env) ?? env.REDIS_URL,
    skipRedis: env.SKIP_REDIS === 'true' || env.DISABLE_REDIS === 'true',
    jwtSecret: readDockerSecret('jwt_secret', 'JWT_SECRET', env),
    encryptionKey: readDockerSecret('encryption_key', 'ENCRYPTION_KEY', env),
    plexClientId: readDockerSecret('plex_client_id', 'PLEX_CLIENT_ID', env),
    plexClientSecret: readDockerSecret('plex_client_secret', 'PLEX_CLIENT_SECRET', env),
    metricsToken: readDockerSecret('metrics_token', 'METRICS_TOKEN', env),
    uploadsDir: env.UPLOADS_PATH || '/app/backend/uploads',
  };
  if (production) {
    if (!cfg.plexClientId) errors.push('Missing required configuration: PLEX_CLIENT_ID');
    if (!cfg.plexClientSecret) errors.push('Missing required configuration: PLEX_CLIENT_SECRET');
    if (cfg.jwtSecret === 'dev-secret')
      errors.push('JWT_SECRET must not be the development default');
  }
  if (cfg.databaseUrl) {
    try {
      const u = new URL(cfg.databaseUrl);
      if (!/^postgres(ql)?:$/.test(u.protocol))
        errors.push('DATABASE_URL must be a postgresql:// URL');
    } catch {
      errors.push('DATABASE_URL is not a valid URL');
    }
  }
  if (cfg.redisUrl && !cfg.skipRedis) {
    try {
      if (!/^rediss?:$/.test(new URL(cfg.redisUrl).protocol))
        errors.push('REDIS_URL must be a redis:// URL');
    } catch {
      errors.push('REDIS_URL is not a valid URL');
    }
  }
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return cfg;
}

module.exports = { loadConfig, validateSecrets, ConfigError };
