// The Worker's static assets, built before dev, tests and deploy: the API
// reference bundle (so that /docs works with no network) and the dashboard.
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("public/assets", { recursive: true });
copyFileSync(
  "node_modules/@scalar/api-reference/dist/browser/standalone.js",
  "public/assets/scalar.js",
);
await import("./build-dashboard.mjs");
