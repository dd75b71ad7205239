/**
 * jStat 1.9 ships no type declarations (and there is no @types package): the
 * few functions this package uses, typed from the library's source.
 */
declare module 'jstat' {
  export interface JStatStatic {
    /** ln Γ(x). */
    gammaln(x: number): number;
    /** ln C(n, m). */
    combinationln(n: number, m: number): number;
    /** Regularised incomplete beta function I_x(a, b). */
    ibeta(x: number, a: number, b: number): number;
    /** Complementary error function. */
    erfc(x: number): number;
    normal: {
      cdf(x: number, mean: number, std: number): number;
      inv(p: number, mean: number, std: number): number;
    };
    poisson: {
      cdf(x: number, lambda: number): number;
      pdf(k: number, lambda: number): number;
    };
  }
  const jStat: JStatStatic;
  export default jStat;
}
