const pg = require('./pg');
const { HttpError } = require('./http');

// Release v2's feature `record-tags` (its migration 20251020000000_add_record_tags): tags on records.
// An image whose release lacks the feature (v1) has no such routes: 404 like any unknown path.
const TAG = /^[A-Za-z0-9._-]{1,64}$/;
const RECORD_TAGS = /^\/api\/v1\/records\/(\d+)\/tags$/;
const RECORD_TAG = /^\/api\/v1\/records\/(\d+)\/tags\/([^/]+)$/;
const tagOf = (m) => {
  const tag = decodeURIComponent(m[2]);
  if (!TAG.test(tag)) throw new HttpError(400, 'VALIDATION', 'tag must match [A-Za-z0-9._-]{1,64}');
  return tag;
};
const FEATURE_ROUTES = {
  'record-tags': [
    [
      'GET',
      RECORD_TAGS,
      async (cfg, req, m) => {
        const sql = `SELECT CASE WHEN EXISTS (SELECT 1 FROM rig_records WHERE id = :'id'::bigint)
        THEN (SELECT coalesce(jsonb_agg(tag ORDER BY tag), '[]'::jsonb) FROM rig_record_tags
              WHERE record_id = :'id'::bigint)
        ELSE 'null'::jsonb END;`;
        const tags = await pg.queryJson(cfg.databaseUrl, sql, { id: m[1] });
        if (!tags) throw new HttpError(404, 'NOT_FOUND', 'no such record');
        return [200, { recordId: Number(m[1]), tags }];
      },
    ],
    [
      'PUT',
      RECORD_TAG,
      async (cfg, req, m) => {
        const tag = tagOf(m);
        const sql = `WITH r AS (SELECT id FROM rig_records WHERE id = :'id'::bigint),
        added AS (INSERT INTO rig_record_tags (record_id, tag) SELECT id, :'tag' FROM r
                  ON CONFLICT DO NOTHING RETURNING 1)
        SELECT to_jsonb(EXISTS (SELECT 1 FROM r));`;
        if (!(await pg.queryJson(cfg.databaseUrl, sql, { id: m[1], tag })))
          throw new HttpError(404, 'NOT_FOUND', 'no such record');
        return [201, { recordId: Number(m[1]), tag }];
      },
    ],
    [
      'DELETE',
      RECORD_TAG,
      async (cfg, req, m) => {
        const tag = tagOf(m);
        await pg.psql(
          cfg.databaseUrl,
          `DELETE FROM rig_record_tags WHERE record_id = :'id'::bigint AND tag = :'tag';`,
          { id: m[1], tag },
        );
        return [204, ''];
      },
    ],
  ],
};

module.exports = { FEATURE_ROUTES };
