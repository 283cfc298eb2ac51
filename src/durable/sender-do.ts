import { DurableObject } from "cloudflare:workers";

export class SenderDO extends DurableObject<Env> {}
