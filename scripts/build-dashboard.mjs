// Builds the dashboard (dashboard/) into public/dashboard/, which the Worker
// serves as static assets; no CDN at run time. Code splitting keeps the first
// screen small: compose, audience and the charts are chunks loaded when their
// route opens, and the spreadsheet parsers live only in the parse worker's own
// bundle. Prints each file's gzipped size and fails over the first screen's
// budget (60 KB of JS gzipped).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const OUT = "public/dashboard";
const FIRST_SCREEN_BUDGET_KB = 60;
const common = {
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const app = await build({
  ...common,
  entryPoints: { app: "dashboard/src/main.tsx" },
  splitting: true,
  outdir: OUT,
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
});
// The worker is its own entry (not split): `new Worker("./parse-worker.js")` loads it by name.
await build({
  ...common,
  entryPoints: { "parse-worker": "dashboard/src/sheet/parse-worker.ts" },
  outdir: OUT,
});
for (const file of ["index.html", "styles.css"])
  copyFileSync(`dashboard/${file}`, `${OUT}/${file}`);
copyFileSync("node_modules/uplot/dist/uPlot.min.css", `${OUT}/uplot.css`);

const gz = (path) => gzipSync(readFileSync(path)).length / 1024;
// The first screen is app.js and the chunks it imports statically.
const firstScreen = new Set([`${OUT}/app.js`]);
for (const path of firstScreen) {
  for (const imp of app.metafile.outputs[path]?.imports ?? [])
    if (imp.kind === "import-statement") firstScreen.add(imp.path);
}
const files = readdirSync(OUT, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".js"));
const firstKb = [...firstScreen].reduce((sum, path) => sum + gz(path), 0);
for (const file of files)
  console.log(`[dashboard] ${file} ${gz(`${OUT}/${file}`).toFixed(1)} KB gzipped`);
console.log(
  `[dashboard] first screen ${firstKb.toFixed(1)} KB of JS gzipped (budget ${FIRST_SCREEN_BUDGET_KB})`,
);
if (firstKb > FIRST_SCREEN_BUDGET_KB)
  throw new Error("the dashboard's first screen is over its JS budget");
