// The differential table: zod schemas a queue or connection may carry, each with inputs that
// probe it. A worker's copy of the schema must answer every input as the original does (success
// and output, deep-equal), or the copy must be refused at the send.
import { z } from 'zod';

/** Inputs every schema is probed with: wrong types, absent values, extra keys, empty shapes. */
export const commonInputs: unknown[] = [
  undefined,
  null,
  0,
  -0,
  1,
  -1,
  1.5,
  2 ** 60,
  '',
  'a',
  'abc',
  'a@b.co',
  true,
  [],
  [1],
  [undefined],
  [null],
  [1, 'a'],
  [{ a: 1 }, { a: 1, x: 2 }],
  {},
  { a: 1 },
  { a: 1, extra: 2 },
  { a: undefined },
  { a: null },
  { a: 'x' },
  { b: 'x' },
  { a: 1, b: 'x' },
  { a: 1, b: 'x', extra: true },
  { kind: 'a', a: 1 },
  { kind: 'a', a: 1, extra: 1 },
  { kind: 'b', b: 'x' },
  { kind: 'c' },
  { a: { b: 1, c: 2 } },
  { a: [{ b: 1, c: 2 }] },
];

type Row = [name: string, schema: z.ZodType, inputs?: unknown[]];

const obj = z.object({ a: z.number() });
const du = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('a'), a: z.number() }),
  z.object({ kind: z.literal('b'), b: z.string() }),
]);

/** Each row: a name, the schema, inputs of its own beside {@link commonInputs}. */
export const schemaTable: Row[] = [
  // primitives and their checks
  ['number', z.number()],
  ['number int min max', z.number().int().min(0).max(10), [3, 11, 2.5]],
  ['number gt lt multipleOf', z.number().gt(0).lt(100).multipleOf(0.5), [0.5, 0.3, 100]],
  ['number positive finite', z.number().positive(), [Number.POSITIVE_INFINITY, 5]],
  ['z.int()', z.int(), [2 ** 53, 2 ** 53 - 1, 4]],
  ['z.int32()', z.int32(), [2 ** 31, 2 ** 31 - 1]],
  ['string', z.string()],
  ['string min max length', z.string().min(2).max(4), ['ab', 'abcde']],
  ['string length', z.string().length(3), ['abcd']],
  ['string startsWith endsWith', z.string().startsWith('a').endsWith('c'), ['ac', 'abc', 'bc', 'ab']],
  ['string includes', z.string().includes('b.'), ['ab.c', 'abc']],
  ['string regex', z.string().regex(/^a+$/), ['aaa', 'ab']],
  ['string regex g flag', z.string().regex(/^a+$/g), ['aaa', 'ab', 'aaa']],
  ['string lowercase', z.string().lowercase(), ['abc', 'aBc']],
  ['string uppercase', z.string().uppercase(), ['ABC', 'aBc']],
  ['boolean', z.boolean()],
  ['null', z.null()],
  ['any', z.any()],
  ['unknown', z.unknown()],
  ['never', z.never()],
  // formats
  ['email', z.email(), ['x@example.org', 'no']],
  ['email html5 pattern', z.email({ pattern: z.regexes.html5Email }), ['x@example', 'x@example.org']],
  ['uuid', z.uuid(), ['123e4567-e89b-12d3-a456-426614174000', '123e4567-e89b-02d3-a456-426614174000']],
  ['guid', z.guid(), ['123e4567-e89b-02d3-a456-426614174000', 'nope']],
  ['url', z.url(), ['https://example.org/x', 'mailto:a@b.co', 'example']],
  ['url with protocol', z.url({ protocol: /^https$/ }), ['https://example.org', 'http://example.org']],
  ['iso datetime', z.iso.datetime(), ['2020-01-01T00:00:00Z', '2020-01-01T00:00:00+02:00']],
  ['iso datetime offset', z.iso.datetime({ offset: true }), ['2020-01-01T00:00:00+02:00']],
  ['iso date', z.iso.date(), ['2020-01-01', '2020-13-01']],
  ['iso time', z.iso.time(), ['12:00:00', '12:00', '12:00:00Z']],
  ['iso duration', z.iso.duration(), ['P1D', 'P']],
  ['ipv4', z.ipv4(), ['1.2.3.4', '1.2.3.256']],
  ['ipv6', z.ipv6(), ['::1', '1::2::3', '[::1]']],
  ['cidrv4', z.cidrv4(), ['10.0.0.0/8', '10.0.0.0/33']],
  ['base64', z.base64(), ['aGk=', 'aGk', '!!']],
  ['base64url', z.base64url(), ['aGk', 'a+b']],
  ['e164', z.e164(), ['+14155552671', '14155552671']],
  ['jwt', z.jwt(), ['a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30.x']],
  ['emoji', z.emoji(), ['😀', 'a']],
  ['nanoid', z.nanoid(), ['V1StGXR8_Z5jdHi6B-myT', 'x']],
  ['cuid2', z.cuid2(), ['tz4a98xxat96iws9zmbrgj3a', 'A']],
  ['ulid', z.ulid(), ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'x']],
  ['hex', z.hex(), ['abc123', 'xyz']],
  ['hostname', z.hostname(), ['example.org', '-bad-']],
  ['mac', z.mac(), ['00:1A:2B:3C:4D:5E', '00-1A']],
  ['template literal', z.templateLiteral(['id-', z.number()]), ['id-3', 'id-x']],
  // enums and literals
  ['enum', z.enum(['a', 'b']), ['b', 'c']],
  ['native numeric enum', z.enum({ A: 0, B: 1 }), [0, 2]],
  ['literal', z.literal('a')],
  ['literal null', z.literal(null)],
  ['literal several', z.literal(['a', 1, true]), [true, false]],
  // objects: strip, strict, loose, catchall, nesting
  ['object strip', obj],
  ['object strict', z.strictObject({ a: z.number() })],
  ['object loose', z.looseObject({ a: z.number() })],
  ['object catchall', z.object({ a: z.number() }).catchall(z.string()), [{ a: 1, b: 'x', c: 2 }]],
  ['object empty', z.object({})],
  ['object nested strip', z.object({ a: z.object({ b: z.number() }) })],
  ['object strict with strip inside', z.strictObject({ a: z.object({ b: z.number() }) })],
  ['array of strip objects', z.array(z.object({ b: z.number() })), [[{ b: 1, c: 2 }], [{ c: 1 }]]],
  ['object with array of strip objects', z.object({ a: z.array(z.object({ b: z.number() })) })],
  ['object optional property', z.object({ a: z.number().optional(), b: z.string() })],
  ['object nullish property', z.object({ a: z.number().nullish() })],
  ['object default property', z.object({ a: z.number().default(7), b: z.string().default('d') })],
  ['object exactOptional', z.object({ a: z.number().exactOptional() })],
  ['object any property', z.object({ a: z.any(), b: z.unknown() })],
  ['object default object', z.object({ a: z.object({ b: z.number() }).default({ b: 1 }) })],
  ['object prefault', z.object({ a: z.object({ b: z.number().default(2) }).prefault({}) })],
  ['object readonly', z.object({ a: z.number() }).readonly()],
  ['object partial', obj.extend({ b: z.string() }).partial()],
  ['object required of partial', obj.partial().required()],
  // optional, nullable, nullish, default outside objects
  ['optional', z.number().optional()],
  ['nullable', z.number().nullable()],
  ['nullish', z.number().nullish()],
  ['optional nullable', z.number().optional().nullable()],
  ['default', z.number().default(5)],
  ['optional default', z.number().optional().default(5)],
  ['default optional', z.number().default(5).optional()],
  ['default object strip', obj.default({ a: 2 })],
  ['prefault', z.number().prefault(4)],
  ['prefault failing', z.number().min(10).prefault(4)],
  ['nonoptional', z.number().optional().nonoptional()],
  ['nonoptional nullable optional', z.number().optional().nullable().nonoptional()],
  ['array of optional', z.array(z.number().optional())],
  ['array of nullish', z.array(z.number().nullish()), [[null, undefined, 1]]],
  ['array of default', z.array(z.number().default(0)), [[undefined, 2]]],
  ['array min max', z.array(z.number()).min(1).max(2), [[1, 2, 3]]],
  ['array nonempty', z.array(z.string()).nonempty(), [['x']]],
  ['readonly array', z.array(z.number()).readonly()],
  // tuples
  ['tuple', z.tuple([z.number(), z.string()]), [[1, 'a', 2]]],
  [
    'tuple rest',
    z.tuple([z.number()], z.string()),
    [
      [1, 'a', 'b'],
      [1, 2],
    ],
  ],
  ['tuple optional last', z.tuple([z.number(), z.string().optional()]), [[1, undefined]]],
  ['tuple optional first', z.tuple([z.number().optional(), z.string()]), [[undefined, 'a']]],
  ['tuple of strip objects', z.tuple([obj]), [[{ a: 1, x: 1 }]]],
  ['tuple rest of optional', z.tuple([z.string()], z.number().optional()), [['a', undefined, 1]]],
  // unions and intersections
  ['union', z.union([z.number(), z.string()])],
  ['union of strip objects', z.union([z.object({ a: z.number() }), z.object({ b: z.string() })])],
  ['union strip then loose', z.union([obj, z.looseObject({ b: z.string() })])],
  ['union with optional', z.union([z.number(), z.string().optional()])],
  ['discriminated union', du],
  ['array of discriminated union', z.array(du), [[{ kind: 'a', a: 1, x: 1 }]]],
  ['xor', z.xor([z.number(), z.int()]), [1, 1.5]],
  ['intersection of strip objects', z.intersection(obj, z.object({ b: z.string() }))],
  [
    'intersection strict with strip',
    z.intersection(z.strictObject({ a: z.number() }), z.object({ b: z.string() })),
  ],
  ['intersection of numbers', z.intersection(z.number().min(0), z.number().max(5)), [3, 6]],
  ['object and', obj.and(z.object({ b: z.string().optional() }))],
  // records
  ['record string keys', z.record(z.string(), z.number()), [{ x: 1, y: 'no' }]],
  ['record string keys min', z.record(z.string().min(2), z.number()), [{ xy: 1 }, { x: 1 }]],
  [
    'record enum keys',
    z.record(z.enum(['a', 'b']), z.number()),
    [
      { a: 1, b: 2 },
      { a: 1, b: 2, c: 3 },
    ],
  ],
  ['record literal keys', z.record(z.literal(['a', 'b']), z.number()), [{ a: 1, b: 2 }]],
  ['record enum keys optional values', z.record(z.enum(['a', 'b']), z.number().optional()), [{ b: 2 }]],
  ['partialRecord enum keys', z.partialRecord(z.enum(['a', 'b']), z.number()), [{ b: 2 }, { c: 3 }]],
  ['looseRecord enum keys', z.looseRecord(z.enum(['a', 'b']), z.number()), [{ a: 1, b: 2, c: 'x' }]],
  ['record of strip objects', z.record(z.string(), obj), [{ k: { a: 1, x: 2 } }]],
  ['record number keys', z.record(z.number(), z.string()), [{ 1: 'a' }, { x: 'a' }]],
  ['record number keys min', z.record(z.number().min(5), z.string()), [{ 3: 'a' }, { 7: 'a' }]],
  ['record optional values', z.record(z.string(), z.number().optional()), [{ x: undefined }]],
  [
    'looseRecord regex keys',
    z.looseRecord(z.string().regex(/^k/), z.number()),
    [{ k1: 1, z: 'x' }, { k1: 'x' }],
  ],
  [
    'record union-of-literal keys',
    z.record(z.union([z.literal('a'), z.literal(2)]), z.boolean()),
    [{ a: true, 2: false }],
  ],
  ['record of catchall strip', z.object({}).catchall(obj), [{ k: { a: 1, x: 1 } }]],
  // one node in several positions, wrappers in every order
  [
    'one optional node reused',
    reused(),
    [
      { a: 1, b: [undefined], c: null },
      { b: [], c: undefined },
    ],
  ],
  ['optional default nullable', z.string().optional().default('x').nullable()],
  ['default readonly', z.number().default(1).readonly()],
  ['readonly default', z.object({ a: z.number() }).readonly().default({ a: 3 })],
  ['nullable optional property', z.object({ a: z.number().nullable().optional() }), [{ a: null }]],
  ['default function', z.object({ a: z.array(z.number()).default(() => []) })],
  [
    'default with unknown keys',
    z.object({ a: z.object({ b: z.number() }).default({ b: 1, c: 2 } as never) }),
  ],
  ['nullable null', z.null().nullable(), [null]],
  ['nullable of union with null', z.union([z.null(), z.string()]).nullable()],
  ['union nullable of union', z.union([z.string(), z.number()]).nullable()],
  ['exactOptional in tuple', z.tuple([z.number(), z.string().exactOptional()]), [[1, undefined], [1]]],
  // more checks
  ['multipleOf twice', z.number().multipleOf(2).multipleOf(3), [6, 4, 9]],
  ['includes at position', z.string().includes('b', { position: 2 }), ['aab', 'ab', 'a\nb', '\n\nb']],
  ['email min', z.email().min(12), ['x@example.org', 'a@b.co']],
  [
    'uuid v4',
    z.uuid({ version: 'v4' }),
    ['123e4567-e89b-42d3-a456-426614174000', '123e4567-e89b-12d3-a456-426614174000'],
  ],
  ['datetime local', z.iso.datetime({ local: true }), ['2020-01-01T00:00:00', '2020-01-01T00:00:00Z']],
  [
    'datetime precision',
    z.iso.datetime({ precision: 3 }),
    ['2020-01-01T00:00:00.123Z', '2020-01-01T00:00:00Z'],
  ],
  ['nanoid length', z.nanoid({ length: 5 }), ['abcde', 'abcdef']],
  ['cidrv6', z.cidrv6(), ['::1/128', '::1/129']],
  ['meta is not a check', z.string().meta({ minLength: 5, description: 'x' }), ['ab']],
  ['described object', z.object({ a: z.number() }).describe('an a'), [{ a: 1, b: 2 }]],
  ['regex u flag', z.string().regex(/^.$/u), ['😀', 'ab']],
  ['regex i flag', z.string().regex(/^abc$/i), ['ABC']],
  ['custom string format', z.stringFormat('even-length', (s) => s.length % 2 === 0), ['ab']],
  ['literal with null', z.literal(['a', null]), [null, 'a']],
  ['empty tuple', z.tuple([]), [[]]],
  // object helpers and intersections with unions
  [
    'extend pick omit',
    obj.extend({ b: z.string(), c: z.boolean() }).pick({ a: true, b: true }).omit({ b: true }),
  ],
  ['merge strict into strip', obj.merge(z.strictObject({ b: z.string() }))],
  [
    'intersection with union',
    z.intersection(z.union([obj, z.object({ b: z.string() })]), z.object({ kind: z.string() })),
  ],
  [
    'intersection strict strict',
    z.intersection(z.strictObject({ a: z.number() }), z.strictObject({ b: z.string() })),
  ],
  [
    'intersection loose strict',
    z.intersection(z.looseObject({ a: z.number() }), z.strictObject({ b: z.string() })),
  ],
  // zod writes both as one flat allOf; undefined fails on the left and cannot merge on the right
  [
    'intersection nested on the right',
    z.intersection(z.number().nullable(), z.intersection(z.any(), z.number().default(0))),
  ],
  [
    'intersection nested on the left',
    z.intersection(z.intersection(z.any(), z.number().default(0)), z.number().nullable()),
  ],
  [
    'intersections nested on both sides',
    z.intersection(
      z.intersection(z.strictObject({ a: z.number() }), z.looseObject({ b: z.any() })),
      z.intersection(z.object({ c: z.number().default(1) }), z.strictObject({ a: z.any() })),
    ),
    [
      { a: 1, b: 2 },
      { a: 1, b: 2, c: 3, d: 4 },
    ],
  ],
  // a record's key check, rebuilt, must not let the key it is the value of be missing
  ['record in a union beside any', z.object({ a: z.union([z.any(), z.record(z.string(), z.number())]) })],
  [
    'record in a tuple union beside unknown',
    z.tuple([z.number(), z.union([z.unknown(), z.partialRecord(z.enum(['a']), z.number())])]),
    [
      [1, undefined],
      [1, { a: 1 }],
      [1, { b: 1 }],
    ],
  ],
  // recursion
  ['recursive object', treeSchema(), [{ v: 1, kids: [{ v: 2, kids: [], x: 1 }] }]],
  [
    'recursive optional link',
    listSchema(),
    [
      { v: 1, next: { v: 2, x: 1 } },
      { v: 1, next: undefined },
    ],
  ],
  ['optional recursive root', listSchema().optional(), [{ v: 1, next: { v: 2 } }]],
  ['recursive nullable link in array', z.array(listSchema().nullable()), [[null, { v: 1, x: 2 }]]],
];

function reused(): z.ZodType {
  const n = z.number().optional();
  return z.object({ a: n, b: z.array(n), c: n.nullable() });
}

function listSchema(): z.ZodType {
  const List = z.object({
    v: z.number(),
    get next(): z.ZodOptional<typeof List> {
      return List.optional();
    },
  });
  return List;
}

function treeSchema(): z.ZodType {
  const Tree = z.object({
    v: z.number(),
    get kids(): z.ZodArray<typeof Tree> {
      return z.array(Tree);
    },
  });
  return Tree;
}
