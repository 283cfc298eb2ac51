import { describe, expect, it } from "vitest";
import {
  type BroadcastParameters,
  type ParameterPlan,
  planParameters,
  type RecipientParameters,
  renderRecipient,
} from "../../src/domain/parameters";
import { analyzeTemplate } from "../../src/domain/template";
import {
  HOLIDAY_SALE,
  INVOICE_DOCUMENT,
  ORDER_NAMED,
  PLAIN_NOTICE,
  PRODUCT_CAROUSEL,
  STORE_LOCATION,
  VIDEO_PROMO,
} from "./templates";

function plan(template: unknown, params: BroadcastParameters | undefined): ParameterPlan {
  const result = planParameters(analyzeTemplate(template), params);
  if (!result.ok) throw new Error(`expected a plan, got: ${result.errors.join("; ")}`);
  return result.plan;
}

function planErrors(template: unknown, params: BroadcastParameters | undefined): string[] {
  const result = planParameters(analyzeTemplate(template), params);
  if (result.ok) throw new Error("expected plan errors, got a plan");
  return result.errors;
}

function render(p: ParameterPlan, recipient: RecipientParameters | undefined) {
  const result = renderRecipient(p, recipient);
  if (!result.ok) throw new Error(`expected components, got: ${result.errors.join("; ")}`);
  return result.components;
}

function renderErrors(p: ParameterPlan, recipient: RecipientParameters | undefined): string[] {
  const result = renderRecipient(p, recipient);
  if (result.ok)
    throw new Error(`expected errors, got components ${JSON.stringify(result.components)}`);
  return result.errors;
}

/** A body and nothing else. */
const BODY_ONLY = {
  components: [{ type: "BODY", text: "Hello {{1}}" }],
};

// The seed's create example, verbatim.
const HOLIDAY_PARAMETERS: BroadcastParameters = {
  header: { type: "image", value: "https://www.example.com/image.jpg" },
  body_order: ["Name", "Time", "Place"],
  button_order: ["url_1", "url_2"],
};

const CAROUSEL_PARAMETERS: BroadcastParameters = {
  body_order: ["Name"],
  cards: [
    {
      header: { type: "image", value: "https://www.example.com/product1.jpg" },
      body_order: ["product_name", "price"],
      button_order: ["url_suffix"],
    },
    {
      header: { type: "image", value: "https://www.example.com/product2.jpg" },
      body_order: ["product_name", "price"],
      button_order: ["url_suffix"],
    },
  ],
};

describe("the Broadcasts API seed examples", () => {
  it("renders holiday_sale_template for Alex, with his own header image", () => {
    const components = render(plan(HOLIDAY_SALE, HOLIDAY_PARAMETERS), {
      header: { value: "https://www.example.com/override/image.jpg" },
      body: { Name: "Alex", Place: "City Centre", Time: "18h00" },
      button: { url_1: "url parameter value 1", url_2: "url parameter value 2" },
    });
    expect(components).toEqual([
      {
        type: "header",
        parameters: [
          { type: "image", image: { link: "https://www.example.com/override/image.jpg" } },
        ],
      },
      {
        type: "body",
        parameters: [
          { type: "text", text: "Alex" },
          { type: "text", text: "18h00" },
          { type: "text", text: "City Centre" },
        ],
      },
      {
        type: "button",
        sub_type: "url",
        index: "0",
        parameters: [{ type: "text", text: "url parameter value 1" }],
      },
      {
        type: "button",
        sub_type: "url",
        index: "1",
        parameters: [{ type: "text", text: "url parameter value 2" }],
      },
    ]);
  });

  it("renders holiday_sale_template for Jordan, with the broadcast's header image", () => {
    const components = render(plan(HOLIDAY_SALE, HOLIDAY_PARAMETERS), {
      body: { Name: "Jordan", Place: "City Hall", Time: "18h00" },
      button: { url_1: "url parameter value 1", url_2: "url parameter value 2" },
    });
    expect(components).toEqual([
      {
        type: "header",
        parameters: [{ type: "image", image: { link: "https://www.example.com/image.jpg" } }],
      },
      {
        type: "body",
        parameters: [
          { type: "text", text: "Jordan" },
          { type: "text", text: "18h00" },
          { type: "text", text: "City Hall" },
        ],
      },
      {
        type: "button",
        sub_type: "url",
        index: "0",
        parameters: [{ type: "text", text: "url parameter value 1" }],
      },
      {
        type: "button",
        sub_type: "url",
        index: "1",
        parameters: [{ type: "text", text: "url parameter value 2" }],
      },
    ]);
  });

  it("renders product_carousel_template for Alex (card 1 header overridden) and Jordan", () => {
    const p = plan(PRODUCT_CAROUSEL, CAROUSEL_PARAMETERS);
    const alex = render(p, {
      body: { Name: "Alex" },
      cards: [
        {
          header: { value: "https://www.example.com/alex/product1.jpg" },
          body: { product_name: "Running Shoes", price: "$99.00" },
          button: { url_suffix: "running-shoes-123" },
        },
        {
          body: { product_name: "Casual Sneakers", price: "$79.00" },
          button: { url_suffix: "casual-sneakers-456" },
        },
      ],
    });
    expect(alex).toEqual([
      { type: "body", parameters: [{ type: "text", text: "Alex" }] },
      {
        type: "carousel",
        cards: [
          {
            card_index: 0,
            components: [
              {
                type: "header",
                parameters: [
                  { type: "image", image: { link: "https://www.example.com/alex/product1.jpg" } },
                ],
              },
              {
                type: "body",
                parameters: [
                  { type: "text", text: "Running Shoes" },
                  { type: "text", text: "$99.00" },
                ],
              },
              {
                type: "button",
                sub_type: "url",
                index: "0",
                parameters: [{ type: "text", text: "running-shoes-123" }],
              },
            ],
          },
          {
            card_index: 1,
            components: [
              {
                type: "header",
                parameters: [
                  { type: "image", image: { link: "https://www.example.com/product2.jpg" } },
                ],
              },
              {
                type: "body",
                parameters: [
                  { type: "text", text: "Casual Sneakers" },
                  { type: "text", text: "$79.00" },
                ],
              },
              {
                type: "button",
                sub_type: "url",
                index: "0",
                parameters: [{ type: "text", text: "casual-sneakers-456" }],
              },
            ],
          },
        ],
      },
    ]);

    const jordan = render(p, {
      body: { Name: "Jordan" },
      cards: [
        {
          body: { product_name: "Trail Boots", price: "$120.00" },
          button: { url_suffix: "trail-boots-789" },
        },
        {
          body: { product_name: "Slip-Ons", price: "$49.00" },
          button: { url_suffix: "slip-ons-012" },
        },
      ],
    });
    expect(jordan).toEqual([
      { type: "body", parameters: [{ type: "text", text: "Jordan" }] },
      {
        type: "carousel",
        cards: [
          {
            card_index: 0,
            components: [
              {
                type: "header",
                parameters: [
                  { type: "image", image: { link: "https://www.example.com/product1.jpg" } },
                ],
              },
              {
                type: "body",
                parameters: [
                  { type: "text", text: "Trail Boots" },
                  { type: "text", text: "$120.00" },
                ],
              },
              {
                type: "button",
                sub_type: "url",
                index: "0",
                parameters: [{ type: "text", text: "trail-boots-789" }],
              },
            ],
          },
          {
            card_index: 1,
            components: [
              {
                type: "header",
                parameters: [
                  { type: "image", image: { link: "https://www.example.com/product2.jpg" } },
                ],
              },
              {
                type: "body",
                parameters: [
                  { type: "text", text: "Slip-Ons" },
                  { type: "text", text: "$49.00" },
                ],
              },
              {
                type: "button",
                sub_type: "url",
                index: "0",
                parameters: [{ type: "text", text: "slip-ons-012" }],
              },
            ],
          },
        ],
      },
    ]);
  });

  it("accepts the validate example's parameters (no button_order) and rejects each recipient with the fix", () => {
    const p = plan(HOLIDAY_SALE, {
      header: { type: "image", value: "https://www.example.com/image.jpg" },
      body_order: ["Name", "Time", "Place"],
    });
    expect(
      renderErrors(p, { body: { Name: "Alex", Place: "City Centre", Time: "18h00" } }),
    ).toEqual([
      "Missing value for the url button at index 0: name it in parameters.button_order",
      "Missing value for the url button at index 1: name it in parameters.button_order",
    ]);
  });
});

describe("planParameters: the broadcast's parameters against the template", () => {
  it("counts body variables", () => {
    expect(
      planErrors(HOLIDAY_SALE, { ...HOLIDAY_PARAMETERS, body_order: ["Name", "Time"] }),
    ).toEqual(["parameters.body_order: the template has 3 body variables, got 2"]);
    expect(planErrors(HOLIDAY_SALE, { ...HOLIDAY_PARAMETERS, body_order: undefined })).toEqual([
      "parameters.body_order: the template has 3 body variables, got 0",
    ]);
    expect(planErrors(PLAIN_NOTICE, { body_order: ["x"] })).toEqual([
      "parameters.body_order: the template has 0 body variables, got 1",
    ]);
  });

  it("wants body names non-empty and unique", () => {
    expect(
      planErrors(HOLIDAY_SALE, { ...HOLIDAY_PARAMETERS, body_order: ["Name", " ", "Name"] }),
    ).toEqual([
      "parameters.body_order[1]: a name must not be empty",
      "parameters.body_order: 'Name' is listed more than once",
    ]);
  });

  it("counts the buttons that take a value, when button_order is given", () => {
    expect(planErrors(HOLIDAY_SALE, { ...HOLIDAY_PARAMETERS, button_order: ["url_1"] })).toEqual([
      "parameters.button_order: the template has 2 buttons that take a value (url button at index 0, url button at index 1), got 1",
    ]);
    expect(planErrors(PLAIN_NOTICE, { button_order: ["x"] })).toEqual([
      "parameters.button_order: the template has 0 buttons that take a value, got 1",
    ]);
    expect(planErrors(HOLIDAY_SALE, { ...HOLIDAY_PARAMETERS, button_order: ["a", "a"] })).toEqual([
      "parameters.button_order: 'a' is listed more than once",
    ]);
  });

  it("checks the header against the template's", () => {
    expect(
      planErrors(HOLIDAY_SALE, {
        ...HOLIDAY_PARAMETERS,
        header: { type: "video", value: "https://x.com/a.mp4" },
      }),
    ).toEqual(["parameters.header.type: the template has an IMAGE header, got video"]);
    expect(
      planErrors(VIDEO_PROMO, {
        header: { type: "image", value: "https://x.com/a.jpg" },
        body_order: ["n"],
      }),
    ).toEqual(["parameters.header.type: the template has a VIDEO header, got image"]);
    expect(
      planErrors(BODY_ONLY, {
        header: { type: "image", value: "https://x.com/a.jpg" },
        body_order: ["n"],
      }),
    ).toEqual(["parameters.header: the template has no header"]);
    expect(planErrors(PLAIN_NOTICE, { header: { type: "text", value: "Hello" } })).toEqual([
      "parameters.header: the template's header is fixed text and takes no value",
    ]);
    expect(
      planErrors(HOLIDAY_SALE, {
        ...HOLIDAY_PARAMETERS,
        header: { type: "image", value: "ftp://x.com/a.jpg" },
      }),
    ).toEqual(["parameters.header.value must be an http(s) URL"]);
    expect(
      planErrors(HOLIDAY_SALE, { ...HOLIDAY_PARAMETERS, header: { type: "image", value: "  " } }),
    ).toEqual(["parameters.header.value: must not be empty"]);
    expect(
      planErrors(STORE_LOCATION, {
        header: { type: "location", value: { latitude: 91, longitude: 0 } },
        body_order: ["d"],
      }),
    ).toEqual([
      "parameters.header.value must be a location with a latitude (-90..90) and a longitude (-180..180)",
    ]);
  });

  it("lets a media header come from each recipient instead", () => {
    const p = plan(HOLIDAY_SALE, {
      body_order: ["Name", "Time", "Place"],
      button_order: ["a", "b"],
    });
    const values = { body: { Name: "A", Time: "B", Place: "C" }, button: { a: "x", b: "y" } };
    expect(renderErrors(p, values)).toEqual([
      "Missing header value: the template has an IMAGE header and the broadcast gives none",
    ]);
    expect(render(p, { ...values, header: { value: "https://x.com/own.png" } })[0]).toEqual({
      type: "header",
      parameters: [{ type: "image", image: { link: "https://x.com/own.png" } }],
    });
  });

  it("applies the carousel rules", () => {
    expect(
      planErrors(PRODUCT_CAROUSEL, {
        ...CAROUSEL_PARAMETERS,
        header: { type: "image", value: "https://x.com/a.jpg" },
        button_order: [],
      }),
    ).toEqual([
      "parameters.header: not supported on carousel templates; give each card's header in parameters.cards[]",
      "parameters.button_order: not supported on carousel templates; give each card's button_order in parameters.cards[]",
    ]);
    expect(
      planErrors(PRODUCT_CAROUSEL, {
        body_order: ["Name"],
        cards: CAROUSEL_PARAMETERS.cards?.slice(0, 1),
      }),
    ).toEqual(["parameters.cards: the template has 2 cards, got 1"]);
    expect(planErrors(PRODUCT_CAROUSEL, { body_order: ["Name"] })).toEqual([
      "parameters.cards: the template has 2 cards, got 0",
    ]);
    const [first, second] = CAROUSEL_PARAMETERS.cards ?? [];
    expect(
      planErrors(PRODUCT_CAROUSEL, {
        body_order: ["Name"],
        cards: [
          { ...first, body_order: ["product_name"] },
          { ...second, header: { type: "video", value: "https://x.com/v.mp4" }, button_order: [] },
        ],
      }),
    ).toEqual([
      "parameters.cards[0].body_order: the template's cards have 2 body variables, got 1",
      "parameters.cards[1].button_order: the template's cards have 1 button that takes a value (url button at index 0), got 0",
      "parameters.cards[1].header.type: the template's cards have IMAGE headers, got video",
    ]);
    expect(planErrors(HOLIDAY_SALE, { ...HOLIDAY_PARAMETERS, cards: [] })).toEqual([
      "parameters.cards: the template is not a carousel",
    ]);
  });

  it("lists every problem at once", () => {
    expect(
      planErrors(HOLIDAY_SALE, {
        header: { type: "video", value: "x" },
        body_order: ["a"],
        button_order: ["b"],
      }),
    ).toHaveLength(3);
  });

  it("needs no parameters for a template without variables", () => {
    expect(render(plan(PLAIN_NOTICE, undefined), undefined)).toEqual([]);
    expect(
      render(
        plan(INVOICE_DOCUMENT, { header: { type: "document", value: "https://x.com/i.pdf" } }),
        {},
      ),
    ).toEqual([
      {
        type: "header",
        parameters: [{ type: "document", document: { link: "https://x.com/i.pdf" } }],
      },
    ]);
  });
});

describe("renderRecipient: one recipient's values", () => {
  const holiday = plan(HOLIDAY_SALE, HOLIDAY_PARAMETERS);
  const good = {
    body: { Name: "Alex", Time: "18h00", Place: "City Centre" },
    button: { url_1: "a", url_2: "b" },
  };

  it("reports missing, empty and unknown values, all of them", () => {
    expect(
      renderErrors(holiday, {
        body: { Name: "  ", Time: "18h00", Foo: "x" },
        button: { url_1: "", bar: "y" },
      }),
    ).toEqual([
      "Empty body parameter 'Name'",
      "Missing body parameter 'Place'",
      "Unknown body parameter 'Foo'",
      "Empty button parameter 'url_1'",
      "Missing button parameter 'url_2'",
      "Unknown button parameter 'bar'",
    ]);
    expect(renderErrors(holiday, undefined)).toEqual([
      "Missing body parameter 'Name'",
      "Missing body parameter 'Time'",
      "Missing body parameter 'Place'",
      "Missing button parameter 'url_1'",
      "Missing button parameter 'url_2'",
    ]);
  });

  it("does not read inherited object keys as values", () => {
    const p = plan(BODY_ONLY, { body_order: ["constructor"] });
    expect(renderErrors(p, { body: {} })).toEqual(["Missing body parameter 'constructor'"]);
  });

  it("allows a header override only where the template's header takes a value", () => {
    expect(
      renderErrors(plan(PLAIN_NOTICE, undefined), { header: { value: "https://x.com/a.jpg" } }),
    ).toEqual([
      "Header override not allowed: the template has no media, location or text-variable header",
    ]);
    expect(renderErrors(holiday, { ...good, header: { value: "not a url" } })).toEqual([
      "Header value must be an http(s) URL",
    ]);
    expect(renderErrors(holiday, { ...good, header: { value: "" } })).toEqual([
      "Empty header value",
    ]);
    expect(
      renderErrors(holiday, { ...good, header: { value: { latitude: 1, longitude: 2 } } }),
    ).toEqual(["Header value must be a URL, not a location"]);
  });

  it("refuses values WhatsApp refuses (error 132018)", () => {
    expect(
      renderErrors(holiday, {
        ...good,
        body: { Name: "Alex\nSmith", Time: "18h00\t", Place: "City     Centre" },
        button: { url_1: "a\nb", url_2: "b" },
      }),
    ).toEqual([
      "Body parameter 'Name' contains a line break or tab, which WhatsApp does not allow in a parameter",
      "Body parameter 'Time' contains a line break or tab, which WhatsApp does not allow in a parameter",
      "Body parameter 'Place' has more than 4 consecutive spaces, which WhatsApp does not allow in a parameter",
      "Button parameter 'url_1' contains a line break or tab, which WhatsApp does not allow in a parameter",
    ]);
    // Four spaces are allowed.
    expect(
      renderRecipient(holiday, { ...good, body: { ...good.body, Place: "City    Centre" } }).ok,
    ).toBe(true);
  });

  it("limits the filled body to 1,024 characters and the URL to 2,000", () => {
    const fixed = "Hi ! Our holiday sale opens at  in . See you there!".length;
    const fits = "x".repeat(1024 - fixed - 2);
    expect(
      renderRecipient(holiday, { ...good, body: { Name: fits, Time: "a", Place: "b" } }).ok,
    ).toBe(true);
    expect(
      renderErrors(holiday, { ...good, body: { Name: `${fits}!`, Time: "a", Place: "b" } }),
    ).toEqual(["Body text is 1025 characters once filled; WhatsApp allows at most 1024"]);
    // Characters, not UTF-16 units: 1,000 emoji are 1,000 characters.
    expect(
      renderRecipient(holiday, { ...good, body: { Name: "😀".repeat(900), Time: "a", Place: "b" } })
        .ok,
    ).toBe(true);
    const url = "https://shop.example.com/sale/".length;
    expect(
      renderRecipient(holiday, { ...good, button: { url_1: "u".repeat(2000 - url), url_2: "b" } })
        .ok,
    ).toBe(true);
    expect(
      renderErrors(holiday, { ...good, button: { url_1: "u".repeat(2001 - url), url_2: "b" } }),
    ).toEqual([
      "Button parameter 'url_1' makes the button URL 2001 characters long (the limit is 2000)",
    ]);
  });

  it("checks every card and its count", () => {
    const p = plan(PRODUCT_CAROUSEL, CAROUSEL_PARAMETERS);
    const card = { body: { product_name: "A", price: "1" }, button: { url_suffix: "a" } };
    expect(renderErrors(p, { body: { Name: "Alex" }, cards: [card] })).toEqual([
      "cards: the template has 2 cards, got 1",
    ]);
    expect(renderErrors(p, { body: { Name: "Alex" } })).toEqual([
      "cards: the template has 2 cards, got 0",
      "cards[0]: Missing body parameter 'product_name'",
      "cards[0]: Missing body parameter 'price'",
      "cards[0]: Missing button parameter 'url_suffix'",
      "cards[1]: Missing body parameter 'product_name'",
      "cards[1]: Missing body parameter 'price'",
      "cards[1]: Missing button parameter 'url_suffix'",
    ]);
    expect(
      renderErrors(p, {
        body: { Name: "Alex" },
        header: { value: "https://x.com/a.jpg" },
        cards: [
          { ...card, header: { value: "nope" } },
          { ...card, body: { product_name: "B" } },
        ],
      }),
    ).toEqual([
      "Header override not allowed: the template has no media, location or text-variable header",
      "cards[0]: Header value must be an http(s) URL",
      "cards[1]: Missing body parameter 'price'",
    ]);
    expect(renderErrors(holiday, { ...good, cards: [] })).toEqual([
      "Unexpected cards: the template is not a carousel",
    ]);
  });
});

describe("templates of every kind", () => {
  it("fills a NAMED template by name when body_order holds the template's names", () => {
    const p = plan(ORDER_NAMED, {
      header: { type: "text", value: "#1234" },
      body_order: ["date", "first_name", "order_id"],
      button_order: ["coupon", "tracking"],
    });
    expect(
      render(p, {
        body: { first_name: "Alex", order_id: "#1234", date: "Friday" },
        button: { coupon: "SAVE10", tracking: "1234" },
      }),
    ).toEqual([
      { type: "header", parameters: [{ type: "text", parameter_name: "order_id", text: "#1234" }] },
      {
        type: "body",
        parameters: [
          { type: "text", parameter_name: "first_name", text: "Alex" },
          { type: "text", parameter_name: "order_id", text: "#1234" },
          { type: "text", parameter_name: "date", text: "Friday" },
        ],
      },
      // The quick reply's payload is set per message when it is sent.
      {
        type: "button",
        sub_type: "quick_reply",
        index: "0",
        parameters: [{ type: "payload", payload: "" }],
      },
      {
        type: "button",
        sub_type: "copy_code",
        index: "1",
        parameters: [{ type: "coupon_code", coupon_code: "SAVE10" }],
      },
      { type: "button", sub_type: "url", index: "2", parameters: [{ type: "text", text: "1234" }] },
    ]);
  });

  it("fills a NAMED template by position when body_order uses other names", () => {
    const p = plan(ORDER_NAMED, {
      header: { type: "text", value: "#1" },
      body_order: ["Name", "Order", "When"],
      button_order: ["c", "t"],
    });
    const [, body] = render(p, {
      body: { Name: "Alex", Order: "#1", When: "today" },
      button: { c: "X", t: "1" },
    });
    expect(body).toEqual({
      type: "body",
      parameters: [
        { type: "text", parameter_name: "first_name", text: "Alex" },
        { type: "text", parameter_name: "order_id", text: "#1" },
        { type: "text", parameter_name: "date", text: "today" },
      ],
    });
  });

  it("takes a text header's variable from the broadcast or the recipient, within 60 characters", () => {
    const p = plan(ORDER_NAMED, { body_order: ["a", "b", "c"], button_order: ["c", "t"] });
    const values = { body: { a: "1", b: "2", c: "3" }, button: { c: "X", t: "1" } };
    expect(renderErrors(p, values)).toEqual([
      "Missing header value: the template has a TEXT header and the broadcast gives none",
    ]);
    expect(render(p, { ...values, header: { value: "#99" } })[0]).toEqual({
      type: "header",
      parameters: [{ type: "text", parameter_name: "order_id", text: "#99" }],
    });
    // "Order " is 6 characters: 54 more fit.
    expect(renderRecipient(p, { ...values, header: { value: "9".repeat(54) } }).ok).toBe(true);
    expect(renderErrors(p, { ...values, header: { value: "9".repeat(55) } })).toEqual([
      "Header text is 61 characters once filled; WhatsApp allows at most 60",
    ]);
    expect(renderErrors(p, { ...values, header: { value: "a\nb" } })).toEqual([
      "Header value contains a line break or tab, which WhatsApp does not allow in a parameter",
    ]);
  });

  it("limits coupon codes to 20 characters (Meta's limit since December 2025)", () => {
    const p = plan(ORDER_NAMED, {
      header: { type: "text", value: "#1" },
      body_order: ["a", "b", "c"],
      button_order: ["coupon", "t"],
    });
    expect(
      renderErrors(p, {
        body: { a: "1", b: "2", c: "3" },
        button: { coupon: "C".repeat(21), t: "1" },
      }),
    ).toEqual([
      "Button parameter 'coupon' is 21 characters; WhatsApp allows at most 20 in a coupon code",
    ]);
  });

  it("sends a location header, from the broadcast or the recipient", () => {
    const p = plan(STORE_LOCATION, {
      header: {
        type: "location",
        value: { latitude: 51.5, longitude: -0.12, name: "Soho", address: "1 Soho Sq" },
      },
      body_order: ["date"],
    });
    expect(render(p, { body: { date: "Monday" } })).toEqual([
      {
        type: "header",
        parameters: [
          {
            type: "location",
            location: { latitude: 51.5, longitude: -0.12, name: "Soho", address: "1 Soho Sq" },
          },
        ],
      },
      { type: "body", parameters: [{ type: "text", text: "Monday" }] },
    ]);
    expect(
      render(p, {
        header: { value: { latitude: -33.9, longitude: 18.4 } },
        body: { date: "Monday" },
      })[0],
    ).toEqual({
      type: "header",
      parameters: [{ type: "location", location: { latitude: -33.9, longitude: 18.4 } }],
    });
    expect(
      renderErrors(p, { header: { value: "https://maps.example.com" }, body: { date: "Monday" } }),
    ).toEqual([
      "Header value must be a location with a latitude (-90..90) and a longitude (-180..180)",
    ]);
  });

  it("sends video and document headers", () => {
    const video = plan(VIDEO_PROMO, {
      header: { type: "video", value: "https://x.com/v.mp4" },
      body_order: ["n"],
    });
    expect(render(video, { body: { n: "Sam" } })).toEqual([
      { type: "header", parameters: [{ type: "video", video: { link: "https://x.com/v.mp4" } }] },
      { type: "body", parameters: [{ type: "text", text: "Sam" }] },
    ]);
    const invoice = plan(INVOICE_DOCUMENT, undefined);
    expect(render(invoice, { header: { value: "https://x.com/i.pdf" } })).toEqual([
      {
        type: "header",
        parameters: [{ type: "document", document: { link: "https://x.com/i.pdf" } }],
      },
    ]);
  });
});
