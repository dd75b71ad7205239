import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileLayout, type CompiledLayout } from './compile';
import { parseLayout } from './parse';
import type { TransformRegistry } from './transforms';

/** A layout file shipped with an adapter package: compiled, with its text for `csp-hub layouts show`. */
export interface ShippedLayout {
  layout: CompiledLayout;
  /** The file as written (comments included). */
  source: string;
  /** Its path inside the repository, e.g. packages/adapter-fire/layouts/afrs.yaml. */
  file: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Reads and compiles a layout file that ships with a package (at import). An
 * invalid shipped layout is a programming error: it throws, naming every problem.
 */
export function loadShippedLayout(url: URL, transforms: TransformRegistry): ShippedLayout {
  const file = fileURLToPath(url);
  const source = readFileSync(file, 'utf8');
  const definition = parseLayout(source, { fileName: path.basename(file), transforms });
  return { layout: compileLayout(definition, transforms), source, file: path.relative(repoRoot, file) };
}
