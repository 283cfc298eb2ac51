import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: [
    "./src/db/schema.ts",
    "./src/db/audience-schema.ts",
    "./src/db/callbacks-schema.ts",
    "./src/db/cost-schema.ts",
  ],
  out: "./migrations",
});
