import type { App } from "../../app";
import { requireApiKey } from "../auth";
import { registerSenderRoutes } from "./senders";
import { registerTemplateRoutes } from "./templates";

export function registerV1Routes(app: App) {
  app.use("/v1/*", requireApiKey);
  registerSenderRoutes(app);
  registerTemplateRoutes(app);
}
