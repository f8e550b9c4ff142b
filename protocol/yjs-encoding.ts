// The numbers of Yjs's update encoding (v1) that the update check reads and the fuzzer's crafted
// updates write: yjs src/utils/encoding.js, src/structs/Item.js (contentRefs, typeRefs) and lib0's
// writeAny tags. No Node or DOM imports.

/** The low five bits of a struct's info byte (yjs contentRefs; 0 and 10 are not item content). */
export const StructRef = {
  gc: 0,
  deleted: 1,
  json: 2,
  binary: 3,
  string: 4,
  embed: 5,
  format: 6,
  type: 7,
  any: 8,
  doc: 9,
  skip: 10,
} as const

/** The high bits of a struct's info byte: what the struct writes before its content. */
export const StructInfo = {
  hasOrigin: 0x80,
  hasRightOrigin: 0x40,
  hasParentSub: 0x20,
} as const

/** Yjs typeRefs of shared types; `count` is the number of them. */
export const TypeRef = {
  array: 0,
  map: 1,
  text: 2,
  xmlElement: 3,
  xmlFragment: 4,
  xmlHook: 5,
  xmlText: 6,
  count: 7,
} as const

/** lib0 readAny tags. */
export const AnyTag = {
  undefined: 127,
  null: 126,
  varInt: 125,
  float32: 124,
  float64: 123,
  bigInt64: 122,
  false: 121,
  true: 120,
  string: 119,
  object: 118,
  array: 117,
  bytes: 116,
} as const
