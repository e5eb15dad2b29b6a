import type { Migration } from './database.js';

/** The backup area's tables (versions from 6; see database.ts). */
export const BACKUP_MIGRATIONS: Migration[] = [];
