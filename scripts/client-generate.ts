/**
 * `npm run client:generate`: writes docs/openapi.json and
 * docs/client/schema.d.ts from the app's OpenAPI document (the one it serves
 * at /openapi.json), built here in Node. With `--from <url>` it reads a
 * running deployment's /openapi.json instead.
 */
import { writeFileSync } from "node:fs";
import type { OpenAPI3 } from "openapi-typescript";
import { createApp } from "../src/app";
import { clientFiles } from "./client-schema";

const from = process.argv.indexOf("--from");
const res =
  from > 0
    ? await fetch(new URL("/openapi.json", process.argv[from + 1]))
    : await createApp().request("/openapi.json");
if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
const spec = (await res.json()) as OpenAPI3;
for (const [path, text] of Object.entries(await clientFiles(spec))) {
  writeFileSync(path, text);
  console.log(`[client] wrote ${path}`);
}
