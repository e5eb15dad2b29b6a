import type Docker from 'dockerode';

/**
 * Turns a Docker endpoint string (as in DOCKER_HOST or a docker context) into dockerode's connection
 * options. Throws a plain Error with the reason when the endpoint cannot be used.
 */
export function connectionOptions(
  endpoint: string,
  env: NodeJS.ProcessEnv = process.env,
): Docker.DockerOptions {
  if (endpoint.startsWith('unix://')) {
    const socketPath = endpoint.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new Error(`"${endpoint}" needs an absolute socket path`);
    return { socketPath };
  }
  if (endpoint.startsWith('npipe://')) {
    return { socketPath: endpoint.slice('npipe://'.length) || '//./pipe/docker_engine' };
  }
  const withScheme = endpoint.includes('://') ? endpoint : `tcp://${endpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(
      `"${endpoint}" is not an engine address (expected unix://, npipe:// or tcp://)`,
    );
  }
  if (url.protocol === 'ssh:') {
    throw new Error(
      `"${endpoint}" is an SSH endpoint; connect through a local socket instead (e.g. an SSH tunnel to unix://)`,
    );
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`"${endpoint}" uses an unsupported scheme ${url.protocol}`);
  }
  const tls = url.protocol === 'https:' || env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
  return {
    protocol: tls ? 'https' : 'http',
    host: url.hostname,
    port: url.port || (tls ? '2376' : '2375'),
  };
}
