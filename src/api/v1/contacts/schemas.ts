import { z } from "@hono/zod-openapi";
import type { Contact } from "../../../db/audience-schema";
import { parseCustomFields } from "../../../db/contacts";
import {
  isBusinessUserId,
  looksLikeBusinessUserId,
  USER_ID_SHAPE,
} from "../../../domain/business-user-id";
import { classifyPhone } from "../../../domain/phone";
import { PageQuery, RefSchema } from "../../openapi";

/**
 * A phone number as a client writes it: digits with the country code, an
 * optional leading '+'. Valid when libphonenumber-js finds `+digits` valid
 * (`classifyPhone` decides exactly as the library does, faster); the value is
 * E.164 digits without '+', as stored.
 */
export const PhoneInput = z
  .string()
  .trim()
  .regex(/^\+?\d{1,20}$/, "must be digits with the country code, optionally after a '+'")
  .transform((value, ctx) => {
    const phone = classifyPhone(value.replace(/^\+/, ""));
    if (!phone.valid) {
      ctx.addIssue({
        code: "custom",
        message: phone.region
          ? `not a valid phone number for ${phone.region}`
          : "not a valid phone number",
      });
      return z.NEVER;
    }
    return phone.digits;
  })
  .openapi({ type: "string", example: "+447700900123" });

export const e164 = (digits: string) => `+${digits}`;

/** A business-scoped user id as Meta gives it (`US.13491208655302741918`). */
export const UserIdInput = z
  .string()
  .trim()
  .refine(isBusinessUserId, USER_ID_SHAPE)
  .openapi({ type: "string", example: "US.13491208655302741918" });

/** A contact's phone as shown: null for a contact known only by a user id. */
export const shownPhone = (stored: string): string | null =>
  looksLikeBusinessUserId(stored) ? null : e164(stored);

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const MAX_CUSTOM_FIELDS = 50;

export const CustomFields = z
  .record(
    z.string().regex(FIELD_NAME, "a field name is a letter, then up to 63 letters, digits or _"),
    z.string().max(1024),
  )
  .refine((fields) => Object.keys(fields).length <= MAX_CUSTOM_FIELDS, {
    message: `at most ${MAX_CUSTOM_FIELDS} custom fields`,
  })
  .openapi({ example: { membership: "gold" } });

const NamePart = z.string().trim().max(200).nullable();

export const ContactSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    phone: z.string().nullable().openapi({
      example: "+447700900123",
      description: "E.164, with '+'; null for a contact known only by its user id",
    }),
    userId: z.string().nullable().openapi({
      description:
        "Extension: the person's business-scoped user id (given, or learned from Meta's webhooks)",
    }),
    location: RefSchema.nullable(),
    optedIn: z.boolean(),
    customFields: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Contact");

export const ContactWriteSchema = z
  .object({
    phone: PhoneInput.optional().openapi({
      description: "Required unless `userId` is given",
    }),
    userId: UserIdInput.nullable().optional().openapi({
      description:
        "Extension: a business-scoped user id; a contact with one and no phone is sent to it (`recipient`)",
    }),
    name: NamePart.optional().openapi({
      description: 'Defaults to "firstName lastName" (and follows them while it is that)',
    }),
    firstName: NamePart.optional(),
    lastName: NamePart.optional(),
    location: RefSchema.nullable().optional(),
    optedIn: z.boolean().optional().openapi({ description: "Default true" }),
    customFields: CustomFields.optional(),
  })
  .openapi("ContactCreate");

/** A row of POST /v1/contacts/bulk: upserted by phone, so a phone it must have. */
export const BulkContactRowSchema = ContactWriteSchema.omit({ userId: true }).extend({
  phone: PhoneInput,
});

export const ContactUpdateSchema = ContactWriteSchema.partial().openapi("ContactUpdate");

export type ContactWrite = z.infer<typeof ContactUpdateSchema>;

export const MAX_BULK_CONTACTS = 10_000;

export const BulkContactsSchema = z
  .object({
    contacts: z
      .array(
        z.unknown().openapi({
          type: "object",
          description:
            "A contact as for POST /v1/contacts; one that fails validation is reported, not written",
        }),
      )
      .min(1)
      .max(MAX_BULK_CONTACTS),
  })
  .openapi("ContactsBulk");

export const BulkResultSchema = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    errors: z.array(
      z.object({
        index: z.number().int().openapi({ description: "Position in `contacts`, from 0" }),
        phone: z.string().nullable().openapi({ description: "The row's phone as given" }),
        errors: z.array(z.string()),
      }),
    ),
  })
  .openapi("ContactsBulkResult");

const BooleanText = z
  .enum(["true", "false"])
  .transform((v) => v === "true")
  .openapi({ type: "string", enum: ["true", "false"] });

export const ContactListQuery = PageQuery.extend({
  locationId: z.string().min(1).max(100).optional(),
  searchText: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Part of the name, first or last name, or phone, any case" }),
  optedIn: BooleanText.optional(),
});

export function toContactJson(c: Contact): z.infer<typeof ContactSchema> {
  return {
    id: c.id,
    name: c.name,
    firstName: c.firstName,
    lastName: c.lastName,
    phone: shownPhone(c.phone),
    userId: c.userId,
    location: c.locationId ? { id: c.locationId } : null,
    optedIn: c.optedIn,
    customFields: parseCustomFields(c.customFields),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
