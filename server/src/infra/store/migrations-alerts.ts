import type { Migration } from './database.js';

/** The alerts area's tables (versions from 5; see database.ts). */
export const ALERTS_MIGRATIONS: Migration[] = [];
