/**
 * The sandbox's built-in templates, in Meta's shape, available in every WABA.
 * They make every example of the seed documents work, plus one of each other
 * kind (text header, location header, flow button, copy code, catalog,
 * multi-product and single-product, no parameters, not approved). More can be added per WABA through POST /__sandbox/templates.
 */
export const TEMPLATE_STATUSES = ["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"] as const;
export const TEMPLATE_CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;

export interface SandboxTemplate {
  id: string;
  name: string;
  language: string;
  status: (typeof TEMPLATE_STATUSES)[number];
  category: (typeof TEMPLATE_CATEGORIES)[number];
  parameter_format: "POSITIONAL" | "NAMED";
  components: Record<string, unknown>[];
  /** W10: Meta's time-to-live for this template's messages (absent: Meta's default for the category). */
  message_send_ttl_seconds?: number;
}

const holiday = (language: string, body: string): SandboxTemplate => ({
  id: `10000000000000${language === "en" ? "1" : "2"}`,
  name: "holiday_sale_template",
  language,
  status: "APPROVED",
  category: "MARKETING",
  parameter_format: "POSITIONAL",
  components: [
    {
      type: "HEADER",
      format: "IMAGE",
      example: { header_handle: ["https://www.example.com/image.jpg"] },
    },
    { type: "BODY", text: body, example: { body_text: [["Alex", "18h00", "City Centre"]] } },
    { type: "FOOTER", text: "Reply STOP to opt out" },
    {
      type: "BUTTONS",
      buttons: [
        {
          type: "URL",
          text: "See the offers",
          url: "https://shop.example.com/offers/{{1}}",
          example: ["summer"],
        },
        {
          type: "URL",
          text: "Find a store",
          url: "https://shop.example.com/stores/{{1}}",
          example: ["london"],
        },
      ],
    },
  ],
});

const card = {
  components: [
    {
      type: "HEADER",
      format: "IMAGE",
      example: { header_handle: ["https://www.example.com/product.jpg"] },
    },
    {
      type: "BODY",
      text: "{{1}} for only {{2}}",
      example: { body_text: [["Running Shoes", "$99.00"]] },
    },
    {
      type: "BUTTONS",
      buttons: [
        {
          type: "URL",
          text: "Buy now",
          url: "https://shop.example.com/p/{{1}}",
          example: ["shoes-123"],
        },
      ],
    },
  ],
};

export const BUILT_IN_TEMPLATES: readonly SandboxTemplate[] = [
  holiday("en", "Hi {{1}}, our holiday sale starts at {{2}} at {{3}}. See you there!"),
  holiday("es", "Hola {{1}}, nuestras rebajas empiezan a las {{2}} en {{3}}. ¡Te esperamos!"),
  {
    id: "100000000000003",
    name: "product_carousel_template",
    language: "en",
    status: "APPROVED",
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    components: [
      { type: "BODY", text: "Hi {{1}}, picked for you:", example: { body_text: [["Alex"]] } },
      { type: "CAROUSEL", cards: [card, card] },
    ],
  },
  {
    id: "100000000000004",
    name: "order_update",
    language: "en",
    status: "APPROVED",
    category: "UTILITY",
    parameter_format: "POSITIONAL",
    components: [
      { type: "HEADER", format: "TEXT", text: "Order {{1}}", example: { header_text: ["#1234"] } },
      {
        type: "BODY",
        text: "Hi {{1}}, your order ships {{2}}.",
        example: { body_text: [["Alex", "tomorrow"]] },
      },
      { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Thanks" }] },
    ],
  },
  {
    id: "100000000000005",
    name: "store_location",
    language: "en",
    status: "APPROVED",
    category: "UTILITY",
    parameter_format: "POSITIONAL",
    components: [
      { type: "HEADER", format: "LOCATION" },
      { type: "BODY", text: "Visit us today, {{1}}!", example: { body_text: [["Alex"]] } },
    ],
  },
  {
    id: "100000000000006",
    name: "class_booking_flow",
    language: "en",
    status: "APPROVED",
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    components: [
      {
        type: "BODY",
        text: "Hi {{1}}, book your next class in a few taps.",
        example: { body_text: [["Alex"]] },
      },
      {
        type: "BUTTONS",
        buttons: [
          { type: "FLOW", text: "Book now", flow_id: "123456789", flow_action: "navigate" },
        ],
      },
    ],
  },
  {
    id: "100000000000007",
    name: "hello_world",
    language: "en",
    status: "APPROVED",
    category: "UTILITY",
    parameter_format: "POSITIONAL",
    components: [{ type: "BODY", text: "Hello from Chorus!" }],
  },
  {
    id: "100000000000008",
    name: "coupon_offer",
    language: "en",
    status: "APPROVED",
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    components: [
      {
        type: "BODY",
        text: "Hi {{1}}, here is 20% off your next visit.",
        example: { body_text: [["Alex"]] },
      },
      { type: "BUTTONS", buttons: [{ type: "COPY_CODE", example: "SAVE20" }] },
    ],
  },
  {
    id: "100000000000010",
    name: "payment_reminder",
    language: "en",
    status: "APPROVED",
    category: "UTILITY",
    parameter_format: "POSITIONAL",
    components: [
      {
        type: "BODY",
        text: "Hi {{1}}, your payment of {{2}} is due on {{3}}.",
        example: { body_text: [["Alex", "$12.50", "May 1, 2026"]] },
      },
    ],
  },
  {
    id: "100000000000011",
    name: "limited_offer",
    language: "en",
    status: "APPROVED",
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    components: [
      {
        type: "LIMITED_TIME_OFFER",
        limited_time_offer: { text: "Ends soon!", has_expiration: true },
      },
      {
        type: "BODY",
        text: "Hi {{1}}, 30% off everything until the timer runs out.",
        example: { body_text: [["Alex"]] },
      },
      {
        type: "BUTTONS",
        buttons: [
          { type: "COPY_CODE", example: "SAVE30" },
          { type: "URL", text: "Shop now", url: "https://www.example.com/offer" },
        ],
      },
    ],
  },
  // Commerce templates (Meta's catalog, multi-product and single-product kinds): each sends its
  // catalog items by retailer id (validate.ts; P1–P4 in README.md).
  {
    id: "100000000000191",
    name: "catalog_offer",
    language: "en",
    status: "APPROVED",
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    components: [
      {
        type: "BODY",
        text: "Hi {{1}}, our new season is in the catalog.",
        example: { body_text: [["Alex"]] },
      },
      { type: "FOOTER", text: "Best grocery deals on WhatsApp!" },
      { type: "BUTTONS", buttons: [{ type: "CATALOG", text: "View catalog" }] },
    ],
  },
  {
    id: "100000000000192",
    name: "product_bundle",
    language: "en",
    status: "APPROVED",
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    components: [
      { type: "HEADER", format: "TEXT", text: "Forget something?" },
      {
        type: "BODY",
        text: "Hi {{1}}, these are still waiting for you.",
        example: { body_text: [["Alex"]] },
      },
      { type: "BUTTONS", buttons: [{ type: "MPM", text: "View items" }] },
    ],
  },
  {
    id: "100000000000193",
    name: "product_spotlight",
    language: "en",
    status: "APPROVED",
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    components: [
      { type: "HEADER", format: "PRODUCT" },
      {
        type: "BODY",
        text: "Hi {{1}}, this one is back in stock.",
        example: { body_text: [["Alex"]] },
      },
      { type: "BUTTONS", buttons: [{ type: "SPM", text: "View" }] },
    ],
  },
  {
    id: "100000000000009",
    name: "pending_promo",
    language: "en",
    status: "PENDING",
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    components: [{ type: "BODY", text: "Coming soon." }],
  },
];

const key = (t: { name: string; language: string }) => `${t.name}\u0000${t.language}`;

/**
 * A WABA's templates: the built-ins (a WABA's own template of the same name
 * and language replaces the built-in in place), then the WABA's other
 * templates by name and language. The order is stable, so paging is too.
 */
export function wabaTemplates(custom: readonly SandboxTemplate[]): SandboxTemplate[] {
  const own = new Map(custom.map((t) => [key(t), t]));
  const builtIn = BUILT_IN_TEMPLATES.map((t) => own.get(key(t)) ?? t);
  const builtInKeys = new Set(BUILT_IN_TEMPLATES.map(key));
  const extra = custom
    .filter((t) => !builtInKeys.has(key(t)))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return [...builtIn, ...extra];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a template given to POST /__sandbox/templates; an error message when it is not one. */
export function parseTemplate(input: unknown): SandboxTemplate | string {
  if (!isObj(input)) return "template must be an object";
  const { name, language, status, category, parameter_format, components, id } = input;
  const ttl = input.message_send_ttl_seconds;
  if (typeof name !== "string" || !/^[a-z0-9_]{1,512}$/.test(name))
    return "template.name must be lowercase letters, digits and underscores";
  if (typeof language !== "string" || !language) return "template.language is required";
  if (!Array.isArray(components) || !components.every(isObj))
    return "template.components must be an array of objects";
  if (status !== undefined && !TEMPLATE_STATUSES.some((s) => s === status))
    return `template.status must be one of ${TEMPLATE_STATUSES.join(", ")}`;
  if (category !== undefined && !TEMPLATE_CATEGORIES.some((c) => c === category))
    return `template.category must be one of ${TEMPLATE_CATEGORIES.join(", ")}`;
  if (
    parameter_format !== undefined &&
    parameter_format !== "POSITIONAL" &&
    parameter_format !== "NAMED"
  )
    return "template.parameter_format must be POSITIONAL or NAMED";
  // Meta's widest range (marketing through the Marketing Messages API); each category's narrower one is not checked here.
  if (ttl !== undefined && (!Number.isInteger(ttl) || Number(ttl) < 30 || Number(ttl) > 2_592_000))
    return "template.message_send_ttl_seconds must be an integer from 30 to 2592000";
  return {
    // Meta's template ids are numeric strings; a random one cannot collide with the built-ins'.
    id: typeof id === "string" && id ? id : randomId(),
    name,
    language,
    status: TEMPLATE_STATUSES.find((s) => s === status) ?? "APPROVED",
    category: TEMPLATE_CATEGORIES.find((c) => c === category) ?? "MARKETING",
    parameter_format: parameter_format === "NAMED" ? "NAMED" : "POSITIONAL",
    components,
    ...(typeof ttl === "number" ? { message_send_ttl_seconds: ttl } : {}),
  };
}

function randomId(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint32Array(2));
  return `3${String(a).padStart(10, "0")}${String(b % 10000).padStart(4, "0")}`;
}
