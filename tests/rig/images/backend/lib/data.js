'use strict';
// Data access of the backend stand-in: records in PostgreSQL, files in the uploads folder, keys in
// Redis, each listed with SHA-256 checksums so backup tests can compare state before and after.
const crypto = require('node:crypto');
const fsp = require('node:fs/promises');
const path = require('node:path');
const pg = require('./pg');
const redis = require('./redis');

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

const KV_PREFIX = 'medianest:kv:';
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const KV_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

function recordsChecksum(records) {
  return sha256(JSON.stringify(records.map((r) => [r.id, r.title, r.body])));
}

async function listRecords(cfg) {
  const sql = `SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'title', title, 'body', body,
    'createdAt', created_at) ORDER BY id), '[]'::jsonb) FROM rig_records;`;
  const records = await pg.queryJson(cfg.databaseUrl, sql);
  return { count: records.length, checksum: recordsChecksum(records), records };
}

async function listFiles(cfg) {
  const entries = await fsp.readdir(cfg.uploadsDir, { withFileTypes: true });
  const files = [];
  for (const e of entries
    .filter((x) => x.isFile() && FILE_NAME.test(x.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const data = await fsp.readFile(path.join(cfg.uploadsDir, e.name));
    files.push({ name: e.name, size: data.length, sha256: sha256(data) });
  }
  return {
    count: files.length,
    checksum: sha256(JSON.stringify(files.map((f) => [f.name, f.sha256]))),
    files,
  };
}

async function listKv(cfg) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.run(cfg.redisUrl, [
      ['SCAN', cursor, 'MATCH', `${KV_PREFIX}*`, 'COUNT', '1000'],
    ]);
    cursor = next.toString();
    for (const k of batch) keys.push(k.toString().slice(KV_PREFIX.length));
  } while (cursor !== '0');
  keys.sort();
  const values = keys.length
    ? await redis.run(cfg.redisUrl, [['MGET', ...keys.map((k) => KV_PREFIX + k)]])
    : [];
  const items = keys.map((key, i) => {
    const v = values[i] ?? Buffer.alloc(0);
    return { key, value: v.toString('utf8'), sha256: sha256(v) };
  });
  return {
    count: items.length,
    checksum: sha256(JSON.stringify(items.map((i) => [i.key, i.sha256]))),
    items,
  };
}

async function checkDatabase(cfg) {
  if (!cfg.databaseUrl) return { name: 'database', status: 'not_configured' };
  const t0 = Date.now();
  try {
    await pg.psql(cfg.databaseUrl, 'SELECT 1;', {}, 5000);
    return { name: 'database', status: 'ready', responseTime: Date.now() - t0 };
  } catch (e) {
    return { name: 'database', status: 'error', error: e.message };
  }
}

async function checkCache(cfg) {
  if (!cfg.redisUrl || cfg.skipRedis) return { name: 'cache', status: 'not_configured' };
  const t0 = Date.now();
  try {
    const reply = await redis.run(cfg.redisUrl, [['PING']], 3000);
    if (reply !== 'PONG') throw new Error(`unexpected reply ${String(reply)}`);
    return { name: 'cache', status: 'ready', responseTime: Date.now() - t0 };
  } catch (e) {
    return { name: 'cache', status: 'error', error: e.message };
  }
}

module.exports = { KV_PREFIX, FILE_NAME, KV_KEY, sha256, listRecords, listFiles, listKv, checkDatabase, checkCache };
