import { DurableObject } from "cloudflare:workers";

export class SandboxNumberDO extends DurableObject {}
export class SandboxRegistryDO extends DurableObject {}

export default {
  async fetch() {
    return Response.json({ ok: true });
  },
};
