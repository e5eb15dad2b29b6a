import type { Migration } from './database.js';

/** The resources area's tables (versions from 4; see database.ts). */
export const RESOURCES_MIGRATIONS: Migration[] = [];
