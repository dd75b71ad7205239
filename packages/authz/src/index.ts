export { hasRole, loadPrincipal } from './principal';
export type { Principal } from './principal';
