import { DurableObject } from "cloudflare:workers";

export class BroadcastDO extends DurableObject<Env> {}
