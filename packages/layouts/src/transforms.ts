import type { AttributeValue } from '@csp-hub/taxonomy';

/**
 * A named, code-registered transform: what a layout file cannot express
 * declaratively (e.g. deriving a fire stop code from seven IRS fields). A
 * layout refers to it by name, maps its inputs to columns and sets its
 * options; the engine passes the inputs' texts (null tokens already read as
 * empty) and turns a failure into a row reject naming the input's column.
 */
export interface LayoutTransform {
  name: string;
  /** One line for `layouts suggest`, docs and error messages. */
  description: string;
  inputs: Readonly<Record<string, { required: boolean; description: string }>>;
  options?: Readonly<Record<string, { values: readonly string[]; default: string; description: string }>>;
  apply(inputs: Readonly<Record<string, string>>, options: Readonly<Record<string, string>>): TransformResult;
}

export type TransformResult =
  | { ok: true; value: AttributeValue }
  | {
      ok: false;
      /** The input whose column the reject names. */
      input: string;
      /** Stable reason code, e.g. UNKNOWN_CATEGORY. */
      reason: string;
      message: string;
    };

/** Transforms by name. */
export type TransformRegistry = Readonly<Record<string, LayoutTransform>>;

/** Joins registries, refusing two transforms with one name (a programming error). */
export function transformRegistry(...lists: readonly (readonly LayoutTransform[])[]): TransformRegistry {
  const out: Record<string, LayoutTransform> = {};
  for (const t of lists.flat()) {
    if (out[t.name]) throw new Error(`two layout transforms are named ${t.name}`);
    out[t.name] = t;
  }
  return out;
}
