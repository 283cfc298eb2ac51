import { z } from "@hono/zod-openapi";
import { type Class, ENROLMENT_STATUSES, type Enrolment } from "../../../db/audience-schema";
import { PageQuery, RefSchema } from "../../openapi";

/** ISO 8601 with a zone (`Z` or an offset); stored and returned in UTC. */
const StartsAt = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  .openapi({ type: "string", format: "date-time", example: "2026-12-15T18:30:00Z" });

export const ClassSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    startsAt: z.string().openapi({ description: "ISO 8601, UTC" }),
    location: RefSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Class");

export const ClassWriteSchema = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: "Tuesday yoga" }),
    startsAt: StartsAt,
    location: RefSchema.nullable().optional(),
  })
  .openapi("ClassCreate");

export const ClassUpdateSchema = ClassWriteSchema.partial().openapi("ClassUpdate");

export const ClassListQuery = PageQuery.extend({
  locationId: z.string().min(1).max(100).optional(),
  searchText: z.string().max(200).optional().openapi({ description: "Part of the name, any case" }),
});

export const EnrolmentStatusSchema = z.enum(ENROLMENT_STATUSES).openapi("EnrolmentStatus");

export const EnrolmentSchema = z
  .object({
    contact: RefSchema,
    status: EnrolmentStatusSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Enrolment");

export const EnrolmentCreateSchema = z
  .object({
    contactId: z.string().min(1).max(100),
    status: EnrolmentStatusSchema.default("BOOKED"),
  })
  .openapi("EnrolmentCreate");

export const EnrolmentUpdateSchema = z
  .object({ status: EnrolmentStatusSchema })
  .openapi("EnrolmentUpdate");

export const EnrolmentListQuery = PageQuery.extend({
  status: EnrolmentStatusSchema.optional(),
});

export const EnrolmentParams = z.object({
  id: z.string().min(1).max(100),
  contactId: z.string().min(1).max(100),
});

export function toClassJson(k: Class): z.infer<typeof ClassSchema> {
  return {
    id: k.id,
    name: k.name,
    startsAt: k.startsAt,
    location: k.locationId ? { id: k.locationId } : null,
    createdAt: k.createdAt,
    updatedAt: k.updatedAt,
  };
}

export function toEnrolmentJson(e: Enrolment): z.infer<typeof EnrolmentSchema> {
  return {
    contact: { id: e.contactId },
    status: e.status,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
