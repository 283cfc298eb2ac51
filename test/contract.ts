/**
 * The contract, checked on real answers: a response must be one its route
 * declares in the app's OpenAPI registry (the same zod schemas that
 * /openapi.json is generated from), and its body must parse against the
 * schema declared for that status and content type. Keys the schema does not
 * declare fail too: a field a client cannot see in the spec is a mismatch.
 * workerd forbids code generation, so the zod schemas themselves do the
 * checking (no JSON Schema validator).
 */
import type { z } from "@hono/zod-openapi";
import { expect } from "vitest";
import { createApp } from "../src/app";

interface DeclaredResponse {
  description: string;
  content?: Record<string, { schema?: unknown }>;
}

interface DeclaredRoute {
  method: string;
  path: string;
  responses: Record<string, DeclaredResponse>;
}

let declared: Map<string, DeclaredRoute> | null = null;

/** Every registered route, by `METHOD /openapi/{path}`. */
function declaredRoutes(): Map<string, DeclaredRoute> {
  if (!declared) {
    declared = new Map();
    for (const def of createApp().openAPIRegistry.definitions) {
      if (def.type !== "route") continue;
      const route = def.route as unknown as DeclaredRoute;
      declared.set(`${route.method.toUpperCase()} ${route.path}`, route);
    }
  }
  return declared;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** Reads a response once, keeping what the check needs. */
export async function answerOf(res: Response): Promise<Answer> {
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * Why `answer` breaks the contract of `method path` (the OpenAPI path, e.g.
 * `/v1/contacts/{id}`), or null when it keeps it.
 */
export function contractBreach(method: string, path: string, answer: Answer): string | null {
  const route = declaredRoutes().get(`${method.toUpperCase()} ${path}`);
  if (!route) return `${method} ${path} is not in the OpenAPI registry`;
  const response = route.responses[String(answer.status)] ?? route.responses.default;
  if (!response) {
    return `status ${answer.status} is not declared (declared: ${Object.keys(route.responses).join(", ")})`;
  }
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    return answer.text === "" ? null : `status ${answer.status} declares no body, got one`;
  }
  const type = (answer.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  const media = content[type];
  if (!media) {
    return `content type '${type}' is not declared for ${answer.status} (declared: ${Object.keys(content).join(", ")})`;
  }
  const schema = media.schema as z.ZodType | undefined;
  if (!schema || typeof schema.safeParse !== "function") return null;
  let body: unknown = answer.text;
  if (type === "application/json") {
    try {
      body = JSON.parse(answer.text);
    } catch {
      return `status ${answer.status} body is not JSON`;
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    return `status ${answer.status} body does not match its schema: ${issues.join("; ")}`;
  }
  const extra = undeclaredKeys(body, parsed.data, "");
  if (extra.length > 0)
    return `status ${answer.status} body has keys its schema does not declare: ${extra.slice(0, 5).join(", ")}`;
  return null;
}

/** Fails the test when `answer` breaks the contract; `where` says which call it was. */
export function expectContract(method: string, path: string, answer: Answer, where = ""): void {
  const breach = contractBreach(method, path, answer);
  expect(
    breach,
    `${method} ${path}${where ? ` (${where})` : ""} → ${answer.status} ${answer.text.slice(0, 300)}`,
  ).toBeNull();
}

/**
 * Keys of the sent body that zod stripped while parsing (objects strip
 * undeclared keys by default): those the schema does not declare.
 */
function undeclaredKeys(sent: unknown, kept: unknown, at: string): string[] {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    return sent.flatMap((item, i) => undeclaredKeys(item, kept[i], `${at}[${i}]`));
  }
  if (!isObject(sent) || !isObject(kept)) return [];
  return Object.entries(sent).flatMap(([key, value]) => {
    const path = at ? `${at}.${key}` : key;
    return key in kept ? undeclaredKeys(value, kept[key], path) : [path];
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
