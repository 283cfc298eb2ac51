/**
 * Meta-shaped templates for the domain tests: the two from the Broadcasts API
 * seed, and small ones for each header, button and variable kind.
 */
export const HOLIDAY_SALE = {
  name: "holiday_sale_template",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  parameter_format: "POSITIONAL",
  components: [
    {
      type: "HEADER",
      format: "IMAGE",
      example: { header_handle: ["https://www.example.com/image.jpg"] },
    },
    {
      type: "BODY",
      text: "Hi {{1}}! Our holiday sale opens at {{2}} in {{3}}. See you there!",
      example: { body_text: [["Alex", "18h00", "City Centre"]] },
    },
    { type: "FOOTER", text: "Reply STOP to opt out" },
    {
      type: "BUTTONS",
      buttons: [
        {
          type: "URL",
          text: "Shop the sale",
          url: "https://shop.example.com/sale/{{1}}",
          example: ["a"],
        },
        {
          type: "URL",
          text: "Find your store",
          url: "https://stores.example.com/{{1}}",
          example: ["b"],
        },
      ],
    },
  ],
};

const productCard = {
  components: [
    {
      type: "HEADER",
      format: "IMAGE",
      example: { header_handle: ["https://www.example.com/p.jpg"] },
    },
    { type: "BODY", text: "{{1}}, now {{2}}", example: { body_text: [["Shoes", "$10"]] } },
    {
      type: "BUTTONS",
      buttons: [{ type: "URL", text: "Buy", url: "https://shop.example.com/p/{{1}}" }],
    },
  ],
};

export const PRODUCT_CAROUSEL = {
  name: "product_carousel_template",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [
    {
      type: "BODY",
      text: "Hi {{1}}, we picked these for you:",
      example: { body_text: [["Alex"]] },
    },
    { type: "CAROUSEL", cards: [productCard, productCard] },
  ],
};

/** NAMED parameters, a text header with a variable, and a copy-code button after a quick reply. */
export const ORDER_NAMED = {
  name: "order_update",
  language: "en",
  status: "APPROVED",
  category: "UTILITY",
  parameter_format: "NAMED",
  components: [
    { type: "HEADER", format: "TEXT", text: "Order {{order_id}}" },
    { type: "BODY", text: "Hi {{first_name}}, order {{order_id}} arrives on {{date}}." },
    {
      type: "BUTTONS",
      buttons: [
        { type: "QUICK_REPLY", text: "Thanks" },
        { type: "COPY_CODE", example: "SAVE10" },
        { type: "URL", text: "Track", url: "https://track.example.com/{{1}}" },
      ],
    },
  ],
};

export const STORE_LOCATION = {
  name: "store_opening",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [
    { type: "HEADER", format: "LOCATION" },
    { type: "BODY", text: "Our new store opens on {{1}}." },
  ],
};

export const VIDEO_PROMO = {
  name: "video_promo",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [
    { type: "HEADER", format: "VIDEO" },
    { type: "BODY", text: "Watch this, {{1}}" },
  ],
};

export const INVOICE_DOCUMENT = {
  name: "invoice",
  language: "en",
  status: "APPROVED",
  category: "UTILITY",
  components: [
    { type: "HEADER", format: "DOCUMENT" },
    { type: "BODY", text: "Your invoice is attached." },
  ],
};

export const FLOW_SIGNUP = {
  name: "signup_flow",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [
    { type: "BODY", text: "Sign up for the class, {{1}}" },
    {
      type: "BUTTONS",
      buttons: [{ type: "FLOW", text: "Sign up", flow_id: "1234", flow_action: "navigate" }],
    },
  ],
};

/** No variables anywhere: fixed text header, static URL, phone button. */
export const PLAIN_NOTICE = {
  name: "plain_notice",
  language: "en",
  status: "APPROVED",
  category: "UTILITY",
  components: [
    { type: "HEADER", format: "TEXT", text: "Notice" },
    { type: "BODY", text: "The gym is closed today." },
    {
      type: "BUTTONS",
      buttons: [
        { type: "URL", text: "Timetable", url: "https://gym.example.com/timetable" },
        { type: "PHONE_NUMBER", text: "Call us", phone_number: "+447592850122" },
      ],
    },
  ],
};
