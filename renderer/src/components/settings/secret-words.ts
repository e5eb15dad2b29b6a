/**
 * Each secret in a home user's words. The API names them as files and the CLI shows those names;
 * the UI says what each protects instead of `postgres_password` or `JWT_SECRET`.
 */
const WORDS: Record<string, { label: string; about: string }> = {
  postgres_password: { label: 'Database password', about: 'Protects the database.' },
  database_url: {
    label: 'Database address',
    about: 'How MediaNest reaches its database; made from the database password.',
  },
  redis_password: { label: 'Cache password', about: 'Protects the cache (Redis).' },
  redis_url: {
    label: 'Cache address',
    about: 'How MediaNest reaches its cache; made from the cache password.',
  },
  jwt_secret: {
    label: 'Sign-in key',
    about: 'Keeps MediaNest users signed in. Changing it can sign everyone out.',
  },
  jwt_secret_rotation: {
    label: 'Previous sign-in key',
    about: 'Keeps sessions valid for a while after the sign-in key changes.',
  },
  encryption_key: {
    label: 'Encryption key',
    about:
      'Encrypts Plex and service keys stored in the database. A restored database cannot be read without it: keep it with your backups.',
  },
  metrics_token: {
    label: 'Monitoring key',
    about: 'Lets the monitoring service read MediaNest’s figures.',
  },
  nextauth_secret: {
    label: 'Web page sign-in key',
    about: 'Protects sign-in on MediaNest’s web pages.',
  },
  plex_client_id: {
    label: 'Plex app ID',
    about: 'Identifies MediaNest to Plex; set it in Settings, or a default is used.',
  },
  plex_client_secret: {
    label: 'Plex app secret',
    about: 'Goes with the Plex app ID; a default is used unless you set one.',
  },
  grafana_password: {
    label: 'Grafana password',
    about: 'For the user admin of the charts (Grafana).',
  },
  pgadmin_password: {
    label: 'pgAdmin password',
    about: 'For the database tool pgAdmin (admin@medianest.local).',
  },
  redis_commander_password: {
    label: 'Redis Commander password',
    about: 'For the cache tool Redis Commander (user admin).',
  },
  tls_self_signed: {
    label: 'Temporary HTTPS certificate',
    about: 'Used for HTTPS until a Let’s Encrypt certificate is in place.',
  },
};

/** A plain name for a secret; an unknown one gets its name with spaces ("some_key" -> "Some key"). */
export function secretLabel(name: string): string {
  const known = WORDS[name];
  if (known) return known.label;
  const spaced = name.replace(/[_-]+/g, ' ').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** What a secret is for, in plain words; undefined for one this version does not know. */
export function secretAbout(name: string): string | undefined {
  return WORDS[name]?.about;
}

/**
 * Why the app does not rotate a secret, in the UI's words; the server's reason names secrets and
 * verbs as the CLI does (`rotate postgres_password instead`), so it is shown only for one unknown here.
 */
const NOT_ROTATED: Record<string, string> = {
  encryption_key:
    'MediaNest cannot re-encrypt what it stored with this key: a new key would make that unreadable. Keep it, and keep it backed up.',
  database_url: 'Made from the database password: rotate that one instead.',
  redis_url: 'Made from the cache password: rotate that one instead.',
  jwt_secret_rotation: 'Follows the sign-in key: rotate that one instead.',
  plex_client_id: 'A setting, not a generated secret: change it in Settings.',
  plex_client_secret: 'A setting, not a generated secret: change it in Settings.',
  tls_self_signed: 'Renewed by itself before it expires or when the domain changes.',
  pgadmin_password: 'pgAdmin keeps its own copy after its first start; not rotated here yet.',
  redis_commander_password: 'Not rotated here yet.',
};

export function notRotatedBecause(name: string, serverReason: string | undefined): string {
  return NOT_ROTATED[name] ?? serverReason ?? 'Not rotatable';
}
