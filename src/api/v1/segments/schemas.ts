import { z } from "@hono/zod-openapi";
import type { SegmentWithCount } from "../../../db/segments";
import { PageQuery, RefSchema } from "../../openapi";

export const SegmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    location: RefSchema.nullable(),
    contactCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Segment");

export const SegmentWriteSchema = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: "Gold members" }),
    location: RefSchema.nullable().optional(),
  })
  .openapi("SegmentCreate");

export const SegmentUpdateSchema = SegmentWriteSchema.partial().openapi("SegmentUpdate");

export const SegmentListQuery = PageQuery.extend({
  locationId: z.string().min(1).max(100).optional(),
  searchText: z.string().max(200).optional().openapi({ description: "Part of the name, any case" }),
});

export const MAX_MEMBERSHIP_CHANGE = 1_000;

export const ContactIdsSchema = z
  .object({
    contactIds: z.array(z.string().min(1).max(100)).min(1).max(MAX_MEMBERSHIP_CHANGE),
  })
  .openapi("SegmentContactIds");

export const MembersAddedSchema = z
  .object({
    added: z.number().int().openapi({ description: "Contacts that were not members yet" }),
    contactCount: z.number().int(),
  })
  .openapi("SegmentContactsAdded");

export const MembersRemovedSchema = z
  .object({
    removed: z.number().int().openapi({ description: "Contacts that were members" }),
    contactCount: z.number().int(),
  })
  .openapi("SegmentContactsRemoved");

export function toSegmentJson(s: SegmentWithCount): z.infer<typeof SegmentSchema> {
  return {
    id: s.id,
    name: s.name,
    location: s.locationId ? { id: s.locationId } : null,
    contactCount: s.contactCount,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
