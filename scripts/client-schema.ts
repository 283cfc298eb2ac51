/**
 * The files a client is built from, made from an OpenAPI document: the
 * document itself (docs/openapi.json) and its TypeScript types
 * (docs/client/schema.d.ts, by openapi-typescript, for openapi-fetch). Both
 * go through Biome's formatter, as every committed file does, so that
 * `npm run client:generate` and the check against the live spec
 * (test/browser/openapi-contract.test.ts) write exactly the same bytes.
 */
import { spawnSync } from "node:child_process";
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from "openapi-typescript";

export const SPEC_FILE = "docs/openapi.json";
export const SCHEMA_FILE = "docs/client/schema.d.ts";

export async function clientFiles(spec: OpenAPI3): Promise<Record<string, string>> {
  const types =
    COMMENT_HEADER +
    astToString(
      // Defaults are what the server fills in: a client may leave those fields out.
      await openapiTS(spec, { defaultNonNullable: false }),
    );
  return {
    [SPEC_FILE]: formatted(SPEC_FILE, JSON.stringify(spec)),
    [SCHEMA_FILE]: formatted(
      SCHEMA_FILE,
      types.replace(" */", " *\n * Regenerate with `npm run client:generate`.\n */"),
    ),
  };
}

function formatted(path: string, text: string): string {
  const biome = spawnSync("node_modules/.bin/biome", ["format", `--stdin-file-path=${path}`], {
    input: text,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (biome.status !== 0) throw new Error(`biome format ${path}: ${biome.stderr}`);
  return biome.stdout;
}
