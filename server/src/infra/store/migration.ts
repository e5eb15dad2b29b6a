/**
 * One schema change of the appliance database. Its own file, so that the migrations of each area
 * (migrations-<area>.ts) and database.ts, which runs them, both import it and not each other.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
