export { candidatesAdapter, chooseCandidate, codeCandidate, fileCandidate, layoutsDescription, readWithLayout } from './adapter';
export type { FeedAdapterOptions, LayoutCandidate } from './adapter';
export { columnsOf, compileLayout } from './compile';
export type { ColumnIndex, CompiledLayout, RowMapper } from './compile';
export { compileDateFormats, DEFAULT_DATE_FORMATS, monthNumber, NAMED_FORMATS, PART_FORMATS, whenOf } from './dates';
export type { DateFields, DateFormats, PatternUse, When } from './dates';
export { BNG_EXTENT, BNG_PROJ, bngToWgs84, insideUk, parseGridPair, parseGridValue } from './grid';
export type { GridLocation, GridValue, LatLon } from './grid';
export { loadShippedLayout } from './load';
export type { ShippedLayout } from './load';
export { formatIssue, layoutError, MAX_LAYOUT_CHARS, parseLayout, validateLayoutText } from './parse';
export type { LayoutIssue, LayoutValidation, ParseLayoutOptions } from './parse';
export { ATTRIBUTE_TYPES, DEFAULT_NULL_TOKENS, layoutSchema, LayoutSchema } from './schema';
export type { AttributeSpec, CoordinateSpec, LayoutDefinition, LayoutInput } from './schema';
export { suggestLayout } from './suggest';
export type { KnownLayout, SuggestInput, Suggestion } from './suggest';
export { transformRegistry } from './transforms';
export type { LayoutTransform, TransformRegistry, TransformResult } from './transforms';
export {
  foldLabel,
  looksLikeAddress,
  parseAreaCode,
  parseBoolean,
  parseInteger,
  parseNumber,
  parsePoint,
  parsePointText,
  parsePostcodeDistrict,
} from './values';
