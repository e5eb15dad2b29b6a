// The stand-in's data: records in PostgreSQL, files in the uploads folder, keys in Redis, and the
// state route that sums them (what backup and update tests compare before and after).
const fsp = require('node:fs/promises');
const path = require('node:path');
const pg = require('./pg');
const redis = require('./redis');
const { KV_PREFIX, FILE_NAME, KV_KEY, sha256, listRecords, listFiles, listKv } = require('./data');
const { HttpError, MAX_JSON_BYTES, readBody, readJson } = require('./http');

const MAX_FILE_BYTES = Number(process.env.UPLOAD_MAX_BYTES || 64 * 1024 * 1024);

/** Routes: [method, pattern, handler(cfg, req, match) -> [status, body, headers?]]. */
const DATA_ROUTES = [
  [
    'GET',
    /^\/api\/v1\/state$/,
    async (cfg) => {
      const [r, f, k] = await Promise.all([listRecords(cfg), listFiles(cfg), listKv(cfg)]);
      return [
        200,
        {
          records: { count: r.count, checksum: r.checksum },
          files: { count: f.count, checksum: f.checksum },
          kv: { count: k.count, checksum: k.checksum },
        },
      ];
    },
  ],
  ['GET', /^\/api\/v1\/records$/, async (cfg) => [200, await listRecords(cfg)]],
  [
    'POST',
    /^\/api\/v1\/records$/,
    async (cfg, req) => {
      const input = await readJson(req);
      if (
        !input ||
        typeof input.title !== 'string' ||
        input.title.length === 0 ||
        input.title.length > 500
      ) {
        throw new HttpError(
          400,
          'VALIDATION',
          'title must be a non-empty string of at most 500 characters',
        );
      }
      const sql = `INSERT INTO rig_records (title, body) VALUES (:'title', :'body'::jsonb)
      RETURNING jsonb_build_object('id', id, 'title', title, 'body', body, 'createdAt', created_at);`;
      const record = await pg.queryJson(cfg.databaseUrl, sql, {
        title: input.title,
        body: JSON.stringify(input.body ?? {}),
      });
      return [201, record];
    },
  ],
  [
    'GET',
    /^\/api\/v1\/records\/(\d+)$/,
    async (cfg, req, m) => {
      const sql = `SELECT coalesce((SELECT jsonb_build_object('id', id, 'title', title, 'body', body, 'createdAt', created_at)
      FROM rig_records WHERE id = :'id'::bigint), 'null'::jsonb);`;
      const record = await pg.queryJson(cfg.databaseUrl, sql, { id: m[1] });
      if (!record) throw new HttpError(404, 'NOT_FOUND', 'no such record');
      return [200, record];
    },
  ],
  [
    'DELETE',
    /^\/api\/v1\/records\/(\d+)$/,
    async (cfg, req, m) => {
      await pg.psql(cfg.databaseUrl, `DELETE FROM rig_records WHERE id = :'id'::bigint;`, {
        id: m[1],
      });
      return [204, ''];
    },
  ],
  ['GET', /^\/api\/v1\/files$/, async (cfg) => [200, await listFiles(cfg)]],
  [
    'PUT',
    /^\/api\/v1\/files\/([^/]+)$/,
    async (cfg, req, m) => {
      const name = decodeURIComponent(m[1]);
      if (!FILE_NAME.test(name))
        throw new HttpError(400, 'VALIDATION', 'file name must match [A-Za-z0-9][A-Za-z0-9._-]*');
      const data = await readBody(req, MAX_FILE_BYTES);
      const tmp = path.join(cfg.uploadsDir, `.${name}.${process.pid}.tmp`);
      await fsp.writeFile(tmp, data);
      await fsp.rename(tmp, path.join(cfg.uploadsDir, name));
      return [201, { name, size: data.length, sha256: sha256(data) }];
    },
  ],
  [
    'GET',
    /^\/api\/v1\/files\/([^/]+)$/,
    async (cfg, req, m) => {
      const name = decodeURIComponent(m[1]);
      if (!FILE_NAME.test(name)) throw new HttpError(400, 'VALIDATION', 'bad file name');
      try {
        const data = await fsp.readFile(path.join(cfg.uploadsDir, name));
        return [200, data, { 'content-type': 'application/octet-stream' }];
      } catch {
        throw new HttpError(404, 'NOT_FOUND', 'no such file');
      }
    },
  ],
  [
    'DELETE',
    /^\/api\/v1\/files\/([^/]+)$/,
    async (cfg, req, m) => {
      const name = decodeURIComponent(m[1]);
      if (!FILE_NAME.test(name)) throw new HttpError(400, 'VALIDATION', 'bad file name');
      await fsp.rm(path.join(cfg.uploadsDir, name), { force: true });
      return [204, ''];
    },
  ],
  ['GET', /^\/api\/v1\/kv$/, async (cfg) => [200, await listKv(cfg)]],
  [
    'PUT',
    /^\/api\/v1\/kv\/([^/]+)$/,
    async (cfg, req, m) => {
      const key = decodeURIComponent(m[1]);
      if (!KV_KEY.test(key))
        throw new HttpError(400, 'VALIDATION', 'key must match [A-Za-z0-9._:-]{1,128}');
      const value = await readBody(req, MAX_JSON_BYTES);
      await redis.run(cfg.redisUrl, [['SET', KV_PREFIX + key, value]]);
      return [201, { key, size: value.length, sha256: sha256(value) }];
    },
  ],
  [
    'GET',
    /^\/api\/v1\/kv\/([^/]+)$/,
    async (cfg, req, m) => {
      const key = decodeURIComponent(m[1]);
      if (!KV_KEY.test(key)) throw new HttpError(400, 'VALIDATION', 'bad key');
      const v = await redis.run(cfg.redisUrl, [['GET', KV_PREFIX + key]]);
      if (v === null) throw new HttpError(404, 'NOT_FOUND', 'no such key');
      return [200, { key, value: v.toString('utf8'), sha256: sha256(v) }];
    },
  ],
  [
    'DELETE',
    /^\/api\/v1\/kv\/([^/]+)$/,
    async (cfg, req, m) => {
      const key = decodeURIComponent(m[1]);
      if (!KV_KEY.test(key)) throw new HttpError(400, 'VALIDATION', 'bad key');
      await redis.run(cfg.redisUrl, [['DEL', KV_PREFIX + key]]);
      return [204, ''];
    },
  ],
];

module.exports = { DATA_ROUTES };
