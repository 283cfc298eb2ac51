// Builds the dashboard (dashboard/) into public/dashboard/, which the Worker
// serves as static assets: one minified bundle, no CDN at run time. Prints
// the bundle's gzipped size (the budget is 150 KB).
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

mkdirSync("public/dashboard", { recursive: true });
await build({
  entryPoints: ["dashboard/src/main.tsx"],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  outfile: "public/dashboard/app.js",
  logLevel: "warning",
});
for (const file of ["index.html", "styles.css"])
  copyFileSync(`dashboard/${file}`, `public/dashboard/${file}`);
const js = readFileSync("public/dashboard/app.js");
console.log(
  `[dashboard] app.js ${(js.length / 1024).toFixed(1)} KB, ${(gzipSync(js).length / 1024).toFixed(1)} KB gzipped`,
);
