import type { App } from "../../app";
import { requireAdmin } from "../auth";
import * as accounts from "./accounts";
import * as dataPlane from "./data-plane";
import * as devSeed from "./dev-seed";
import * as keys from "./keys";
import * as createRateCard from "./rate-cards-create";

export function registerAdminRoutes(app: App) {
  devSeed.register(app);
  app.use("/admin/accounts", requireAdmin);
  app.use("/admin/accounts/*", requireAdmin);
  accounts.register(app);
  keys.register(app);
  dataPlane.register(app);
  app.use("/admin/rate-cards", requireAdmin);
  createRateCard.register(app);
}
