import { z } from "@hono/zod-openapi";
import type { CallbackDelivery, WebhookEndpoint } from "../../../db/callbacks-schema";
import { CALLBACK_EVENT_TYPES } from "../../../domain/callbacks";
import { bodyAgedOut, CALLBACK_REPLAY_DAYS } from "../../../domain/delivery-log";
import { CallbackUrlSchema } from "../../callback-url";

export const EventTypesSchema = z
  .array(z.enum(CALLBACK_EVENT_TYPES))
  .min(1)
  .max(CALLBACK_EVENT_TYPES.length)
  .openapi({ example: ["recipient.status", "broadcast.completed"] });

export const EndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    status: z.enum(["active", "disabled", "failing"]).openapi({
      description:
        "failing: deliveries were given up after 24 h; a later success makes it active again",
    }),
    failingSince: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookEndpoint");

export const EndpointWithSecretSchema = EndpointSchema.extend({
  secret: z
    .string()
    .openapi({ description: "The signing secret: shown on create and on rotate only" }),
}).openapi("WebhookEndpointWithSecret");

export const EndpointCreateSchema = z
  .object({ url: CallbackUrlSchema, events: EventTypesSchema })
  .openapi("WebhookEndpointCreate");

export const EndpointUpdateSchema = z
  .object({
    url: CallbackUrlSchema.optional(),
    events: EventTypesSchema.optional(),
    status: z.enum(["active", "disabled"]).optional(),
  })
  .openapi("WebhookEndpointUpdate");

export const DeliverySchema = z
  .object({
    id: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    eventCount: z.number().int(),
    eventIds: z
      .array(z.string())
      .openapi({ description: "The events' ids; empty once the body aged out" }),
    bodyAgedOut: z.boolean().openapi({
      description: `The body (the events POSTed) was dropped ${CALLBACK_REPLAY_DAYS} days after the delivery was made; the row stays, a replay answers 410`,
    }),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi("CallbackDelivery");

export function toEndpointJson(e: WebhookEndpoint): z.infer<typeof EndpointSchema> {
  return {
    id: e.id,
    url: e.url,
    events: JSON.parse(e.events) as string[],
    status: e.status as "active" | "disabled" | "failing",
    failingSince: e.failingSince,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function toDeliveryJson(d: CallbackDelivery): z.infer<typeof DeliverySchema> {
  const agedOut = bodyAgedOut(d);
  const events = agedOut ? [] : (JSON.parse(d.body) as { events: { id: string }[] }).events;
  return {
    id: d.id,
    status: d.status as "pending" | "delivered" | "failed",
    eventCount: d.eventCount,
    eventIds: events.map((e) => e.id),
    bodyAgedOut: agedOut,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  };
}
