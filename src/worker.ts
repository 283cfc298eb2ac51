/**
 * The Worker's handlers: HTTP through the Hono app, the queue consumers, and
 * the cron's hourly passes (the replay window's sweep of callback bodies,
 * then retention).
 */
import { createApp } from "./app";
import { runDeliveryBodySweep } from "./durable/delivery-bodies";
import { runRetentionPass } from "./durable/retention";
import type { Bindings } from "./env";
import { errorFields, log } from "./log";
import { consumeCallbacks } from "./queues/callbacks";
import { consumeDeadSends } from "./queues/dead-letters";
import { consumeEvents } from "./queues/events";
import type { CallbackMessage, SendBatchMessage } from "./queues/messages";
import { consumeSends } from "./queues/sends";
import type { WebhookEvent } from "./whatsapp/webhooks";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  async queue(batch, env, ctx) {
    switch (batch.queue) {
      case "chorus-sends":
        return consumeSends(batch as MessageBatch<SendBatchMessage>, env, ctx);
      case "chorus-events":
        return consumeEvents(batch as MessageBatch<WebhookEvent>, env);
      case "chorus-callbacks":
        return consumeCallbacks(batch as MessageBatch<CallbackMessage>, env);
      case "chorus-callbacks-dlq":
        // A callback batch that could not even be logged as deliveries: counted, then dropped.
        log("error", "dead-lettered callback events", { count: batch.messages.length });
        batch.ackAll();
        return;
      case "chorus-sends-dlq":
        return consumeDeadSends(batch as MessageBatch<SendBatchMessage>, env);
      case "chorus-events-dlq":
        // Events the consumer could not apply after every retry: logged, then dropped.
        log("error", "dead-lettered webhook events", { count: batch.messages.length });
        batch.ackAll();
        return;
      default:
        batch.ackAll();
    }
  },
  scheduled(controller, env, ctx) {
    const now = new Date(controller.scheduledTime);
    // One after the other: the two passes share the invocation's six connections and its 15 min.
    ctx.waitUntil(
      runDeliveryBodySweep(env, now)
        .catch((err) => log("error", "callback body sweep failed", errorFields(err)))
        .then(() => runRetentionPass(env, now)),
    );
  },
} satisfies ExportedHandler<Bindings>;
