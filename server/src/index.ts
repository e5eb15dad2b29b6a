/** The server's public entry (DESIGN.md): createServer and what the desktop shell needs. */
export type { DomainEvent, ServerEvent } from './contract/events.js';
export { preferSmallHeap } from './infra/system/lean-heap.js';
export { installDockerWithPrompt } from './app/docker-setup.js';
export { createServer } from './app/server.js';
export type { AppServer, RunningJob, ServerEvents, ServerOptions } from './app/server-types.js';
export type { SecretBox } from './core/remote/appliance-list.js';
