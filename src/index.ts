export { AccountAudienceDO } from "./durable/account-audience-do";
export { AccountDataDO } from "./durable/account-data-do";
export { BroadcastDO } from "./durable/broadcast-do";
export { SenderDO } from "./durable/sender-do";
export { default } from "./worker";
