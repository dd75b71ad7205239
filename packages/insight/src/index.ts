/**
 * @csp-hub/insight: the analysis engine. Counts are read only through the
 * authorized relation of @csp-hub/authz (with its disclosure control) and
 * handed to the pure methods of @csp-hub/analysis.
 */
export {};
