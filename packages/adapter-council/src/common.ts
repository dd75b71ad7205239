/** The premises-address check the layout engine applies to location descriptions (see @csp-hub/layouts). */
export { looksLikeAddress } from '@csp-hub/layouts';
