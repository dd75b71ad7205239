import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { ALL_INCIDENT_FIELDS, type IncidentField } from '@csp-hub/authz';

const FIELDS: ReadonlySet<string> = new Set(ALL_INCIDENT_FIELDS);

/** The names selected on a selection set, through fragments and inline fragments. */
function selected(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, into: Map<string, FieldNode[]>): void {
  for (const s of set?.selections ?? []) {
    if (s.kind === 'Field') into.set(s.name.value, [...(into.get(s.name.value) ?? []), s]);
    else if (s.kind === 'InlineFragment') selected(s.selectionSet, fragments, into);
    else {
      const fragment = fragments[s.name.value];
      if (fragment) selected(fragment.selectionSet, fragments, into);
    }
  }
}

/**
 * The incident fields a query asks for under `path` (e.g. ['nodes'] for a
 * connection): only these are read from the database. A relation on the
 * incident (submission) needs the id it resolves from.
 */
export function requestedIncidentFields(info: GraphQLResolveInfo, path: string[] = []): IncidentField[] {
  let nodes: FieldNode[] = [...info.fieldNodes];
  for (const step of path) {
    const next: FieldNode[] = [];
    for (const node of nodes) {
      const names = new Map<string, FieldNode[]>();
      selected(node.selectionSet, info.fragments, names);
      next.push(...(names.get(step) ?? []));
    }
    nodes = next;
  }
  const names = new Map<string, FieldNode[]>();
  for (const node of nodes) selected(node.selectionSet, info.fragments, names);
  const wanted = new Set<IncidentField>();
  for (const name of names.keys()) {
    if (FIELDS.has(name)) wanted.add(name as IncidentField);
    if (name === 'submission') wanted.add('submissionId');
  }
  return ALL_INCIDENT_FIELDS.filter((f) => wanted.has(f));
}
