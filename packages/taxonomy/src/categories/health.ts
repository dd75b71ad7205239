import type { Priority } from '../priorities';

/**
 * Health source categories -> partnership priorities. Keys are lower case with
 * white space folded (see classify). Kept beside the adapter-health package's tests.
 */
export const HEALTH_CATEGORIES: Record<string, Priority> = {
  assault: 'violence',
};
