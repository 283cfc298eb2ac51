// D1 is reached only through src/db/ (README, Layout). Biome's
// noRestrictedImports keeps drizzle-orm out of the other folders; this keeps
// raw statements out too: it fails on `.prepare(` anywhere in src/ outside
// src/db/ (a Durable Object's own SQLite is `ctx.storage.sql.exec`, never
// `.prepare`). Run by `npm run lint`.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const src = join(root, "src");
const found = [];

function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(src, "db")) walk(path);
    } else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) {
      readFileSync(path, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/\.prepare\s*\(/.test(line))
            found.push(`${relative(root, path)}:${i + 1}: ${line.trim()}`);
        });
    }
  }
}

walk(src);
if (found.length > 0) {
  console.error("D1 statements outside src/db/ (move them into a src/db/ module):");
  for (const f of found) console.error(`  ${f}`);
  process.exit(1);
}
