/**
 * @csp-hub/analysis: pure statistics on counts the caller has already read
 * through the authorization layer. No database, no network, no I/O.
 */
export { binomialTwoSidedPValue, comparePoissonCounts, normalTwoSidedPValue } from './poisson-test';
export type { Exposure, PoissonComparison } from './poisson-test';
export { benjaminiHochberg } from './fdr';
export { COMPARISON_BASES, comparePeriods, controlLimits, whatChanged } from './period-comparison';
export type {
  BaseComparison,
  ChangeRow,
  ComparisonBase,
  ControlLimits,
  Direction,
  Exceedance,
  PeriodComparison,
  PeriodComparisonInput,
  PeriodComparisonOptions,
  RankedChange,
  WhatChangedOptions,
} from './period-comparison';
export { topLocations } from './top-locations';
export type { LocationCount, RankedLocation, TopLocations } from './top-locations';
export { GI_CLASSES, getisOrdGiStar, isCold, isHot } from './gi-star';
export type { CellValue, GiClass, GiStarCell, GiStarOptions, GiStarResult, NeighbourRule } from './gi-star';
export { buildLattice, findHotspots } from './lattice';
export type { Hotspots, Lattice } from './lattice';
export { countByCell } from './cell-system';
export type { CellSystem, LocatedCount, LonLatGeometry } from './cell-system';
export { BNG_PROJ, bngToLonLat, createBngGrid, lonLatToBng, parseGridCellId } from './bng-grid';
export type { Bng, BngBox, BngGrid } from './bng-grid';
export { createH3Cells } from './h3-cells';
export type { H3Cells } from './h3-cells';
export { HOTSPOT_STATUSES, hotspotStatus, hotspotStatusByCell } from './hotspot-status';
export type { CellHotspotHistory, HotspotHistory, HotspotStatus, HotspotStatusOptions } from './hotspot-status';
export { repeatLocations, repeatVictims } from './repeats';
export type { KeyedEvent, RepeatKey, RepeatOptions, RepeatSummary } from './repeats';
export { checkTarget, expectedOn, placeSubsetAtBaseline, TARGET_KINDS, targetProgress, targetValueOf } from './targets';
export type {
  ActualPoint,
  Milestone,
  MilestoneInterval,
  Rag,
  TargetDefinition,
  TargetDirection,
  TargetKind,
  TargetProgress,
  TargetProgressOptions,
  TargetStatus,
} from './targets';
