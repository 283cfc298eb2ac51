// Copies the API reference bundle into public/assets so that /docs works with
// no network: the Worker serves it as a static asset.
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("public/assets", { recursive: true });
copyFileSync(
  "node_modules/@scalar/api-reference/dist/browser/standalone.js",
  "public/assets/scalar.js",
);
