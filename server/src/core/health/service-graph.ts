import type { AffectedServices } from '../../contract/health.js';

/** A service and the services it waits for (compose's `depends_on`). */
export interface GraphNode {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Where MediaNest is reached (nginx) and where it runs (the backend): when either, or anything
 * they need, is down, a user cannot use MediaNest. Services of the profiles (monitoring, devtools,
 * certbot) are beside it: down, they leave MediaNest degraded, not down.
 */
const MEDIANEST_ROOTS = ['nginx', 'backend'];

/** Everything `from` needs, directly or through others (`from` itself excluded). */
function needs(from: string, nodes: ReadonlyMap<string, GraphNode>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(nodes.get(from)?.dependsOn ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(nodes.get(next)?.dependsOn ?? []));
  }
  return seen;
}

/** The services MediaNest cannot work without: the roots present in the plan and all they need. */
export function essentialServices(nodes: readonly GraphNode[]): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = new Set<string>();
  for (const root of MEDIANEST_ROOTS) {
    if (!byName.has(root)) continue;
    out.add(root);
    for (const name of needs(root, byName)) out.add(name);
  }
  return out;
}

/**
 * Which services are affected by the ones down: each service that needs (directly or not) a
 * service in `down`, with the down ones it needs, sorted. A service that is down itself is listed
 * too when it needs another one that is down (its own trouble may be the other's).
 */
export function affectedServices(
  nodes: readonly GraphNode[],
  down: ReadonlySet<string>,
): AffectedServices {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out: AffectedServices = {};
  if (down.size === 0) return out;
  for (const node of nodes) {
    const causes = [...needs(node.name, byName)].filter((n) => down.has(n)).sort();
    if (causes.length > 0) out[node.name] = causes;
  }
  return out;
}
