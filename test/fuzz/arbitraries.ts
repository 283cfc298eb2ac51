/**
 * Generated requests for a route of /openapi.json: bodies shaped by the
 * route's own request schema (right keys, wrong or extreme values, missing
 * and extra fields) mixed with bodies that are not what any route takes
 * (malformed JSON, scalars, prototype keys, a megabyte of text), odd query
 * strings, odd path ids and odd content types.
 */
import fc from "fast-check";
import type { Route } from "../fixtures";

export interface Fuzzed {
  body: string | null;
  query: string;
  /** null: the account's own resource; else this text in every path parameter. */
  pathId: string | null;
  headers: Record<string, string>;
}

type Schema = Record<string, any>;

function resolve(schema: Schema | undefined, doc: any): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 5 && typeof s.$ref === "string"; i++) {
    s = doc.components?.schemas?.[s.$ref.split("/").pop() ?? ""] ?? {};
  }
  return s;
}

const strings = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "😀".repeat(50),
    "x".repeat(5_000),
    "<script>alert(1)</script>",
    "'; DROP TABLE contacts; --",
    "+447700900123",
    "447592850122",
    "2030-01-01T00:00:00Z",
    "2030-01-01T00:00:00+02:00",
    "not-a-date",
    "NaN",
    "-1",
    "09:00",
    "25:99",
    "Europe/London",
    "hello_world",
    "en",
    "https://example.com/a.jpg",
    "javascript:alert(1)",
  ),
);
const numbers = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -1, 1, 80, 250, 1_000, 1_001, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e308, -1e308),
);
const junk = fc.oneof(
  strings,
  numbers,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(strings, numbers), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(strings, numbers), { maxKeys: 3 }),
);

/** A value for a schema: mostly of its type (its examples and enums first), sometimes anything. */
function valueFor(schema: Schema | undefined, doc: any, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if (depth > 3) return junk;
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((a: Schema) => valueFor(a, doc, depth + 1)), junk);
  }
  const typed: fc.Arbitrary<unknown>[] = [];
  if (Array.isArray(s.enum)) typed.push(fc.constantFrom(...s.enum));
  if (s.example !== undefined) typed.push(fc.constant(s.example));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === "object" || s.properties) typed.push(objectFor(s, doc, depth));
  else if (type === "array")
    typed.push(fc.array(valueFor(s.items, doc, depth + 1), { maxLength: 4 }));
  else if (type === "string") typed.push(strings);
  else if (type === "integer" || type === "number") typed.push(numbers);
  else if (type === "boolean") typed.push(fc.boolean());
  return typed.length > 0
    ? fc.oneof({ weight: 4, arbitrary: fc.oneof(...typed) }, { weight: 1, arbitrary: junk })
    : junk;
}

function objectFor(s: Schema, doc: any, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = (s.properties ?? {}) as Record<string, Schema>;
  const shape = Object.fromEntries(
    Object.entries(properties).map(([key, p]) => [key, valueFor(p, doc, depth + 1)]),
  );
  return fc
    .tuple(
      fc.record(shape, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 10 }), junk, { maxKeys: 2 }),
    )
    .map(([known, extra]) => ({ ...extra, ...known }));
}

/** Bodies no route takes, as raw text. */
const rawBodies = fc.constantFrom(
  "",
  "{",
  '{"a":',
  "null",
  "[]",
  "[{}]",
  "1",
  '"text"',
  "true",
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  `{"name":"${"x".repeat(200_000)}"}`,
  "\u0000\u0001\u0002",
  "name=x&phone=1",
);

const contentTypes = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "",
);

function queryFor(route: Route): fc.Arbitrary<string> {
  const names = ((route.operation.parameters ?? []) as { in: string; name: string }[])
    .filter((p) => p.in === "query")
    .map((p) => p.name);
  const pairs = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...(names.length > 0 ? names : ["x"])), fc.string({ maxLength: 6 })),
      fc.oneof(strings, numbers.map(String), fc.constantFrom("true", "false", "%zz", "a&b=c")),
    ),
    { maxLength: 3 },
  );
  return pairs.map((list) =>
    list.length === 0
      ? ""
      : `?${list.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}`,
  );
}

const pathIds = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.uuid().map(String),
      fc.constantFrom("unknown", "0", "-1", "..", "a".repeat(300), "%00", "😀", "+447700900123"),
    ),
  },
);

export function requestArb(route: Route, doc: any): fc.Arbitrary<Fuzzed> {
  const schema = route.operation.requestBody?.content?.["application/json"]?.schema;
  const bodies: fc.Arbitrary<string | null> = schema
    ? fc.oneof(
        { weight: 6, arbitrary: valueFor(schema, doc, 0).map((v) => JSON.stringify(v) ?? "null") },
        { weight: 2, arbitrary: rawBodies },
        { weight: 1, arbitrary: fc.constant(null) },
      )
    : fc.oneof(fc.constant(null), rawBodies);
  return fc.record({
    body: bodies,
    query: queryFor(route),
    pathId: route.path.includes("{") ? pathIds : fc.constant(null),
    headers: fc
      .tuple(contentTypes, fc.boolean())
      .map(
        ([type, withType]): Record<string, string> =>
          withType && type ? { "content-type": type } : {},
      ),
  });
}
