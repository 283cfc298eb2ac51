import { z } from "@hono/zod-openapi";

export const AccountSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string() })
  .openapi("Account");

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "The key's first characters, to tell keys apart" }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

export const IssuedKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    key: z.string().openapi({ description: "The whole key. Shown once: store it now." }),
    createdAt: z.string(),
  })
  .openapi("IssuedApiKey");

export const AccountIdParam = z.object({ id: z.string().min(1).max(100) });
