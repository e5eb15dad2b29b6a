/**
 * The contract between the server and its clients (renderer, Electron shell, e2e tests).
 * Imports zod only, so the renderer can import it without pulling in any Node code.
 */
export * from './errors.js';
export * from './auth.js';
export * from './events.js';
export * from './event-stream.js';
export * from './doctor.js';
export * from './docker-setup.js';
export * from './routes.js';
export * from './stack.js';
export * from './health.js';
export * from './stack-routes.js';
export * from './settings-routes.js';
export * from './logs-routes.js';
export * from './images-routes.js';
export * from './resources-routes.js';
export * from './health-history-routes.js';
export * from './alerts.js';
export * from './alerts-routes.js';
export * from './tray.js';
export * from './secrets-routes.js';
export * from './updates-routes.js';
export * from './update-apply-routes.js';
export * from './app-release-routes.js';
export * from './devices-routes.js';
export * from './appliances-routes.js';
export * from './route-def.js';
export * from './format-bytes.js';
export * from './client.js';
export type * from './desktop.js';
