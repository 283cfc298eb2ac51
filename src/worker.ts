/**
 * The Worker's handlers: HTTP through the Hono app, and the queue consumers.
 */
import { createApp } from "./app";
import type { Bindings } from "./env";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  async queue(batch) {
    // Consumers arrive with the dispatch and tracking work; until then every
    // message is acknowledged so nothing piles up.
    batch.ackAll();
  },
} satisfies ExportedHandler<Bindings>;
