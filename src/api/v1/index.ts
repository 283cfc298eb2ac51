import type { App } from "../../app";
import { requireApiKey } from "../auth";
import { registerV1BroadcastRoutes } from "./broadcasts";
import { registerClassRoutes } from "./classes";
import { registerContactRoutes } from "./contacts";
import { registerErasureRoutes } from "./erasures";
import { registerLocationRoutes } from "./locations";
import { registerSegmentRoutes } from "./segments";
import { registerSenderRoutes } from "./senders";
import { registerSettingsRoutes } from "./settings";
import { registerSuppressionRoutes } from "./suppressions";
import { registerTemplateRoutes } from "./templates";
import * as usage from "./usage/get";
import { registerWebhookEndpointRoutes } from "./webhook-endpoints";

export function registerV1Routes(app: App) {
  app.use("/v1/*", requireApiKey);
  registerSenderRoutes(app);
  registerTemplateRoutes(app);
  registerLocationRoutes(app);
  registerContactRoutes(app);
  registerSegmentRoutes(app);
  registerClassRoutes(app);
  registerSuppressionRoutes(app);
  registerV1BroadcastRoutes(app);
  registerErasureRoutes(app);
  registerSettingsRoutes(app);
  registerWebhookEndpointRoutes(app);
  usage.register(app);
}
