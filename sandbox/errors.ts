/**
 * Meta's error bodies: `{error: {message, type, code, error_data: {messaging_product, details}, error_subcode?, fbtrace_id}}`.
 * Meta puts the code's title in `message` as "(#code) Title"; clients are told to
 * branch on `code` and `error_data.details`, so those carry the specifics here.
 */
export interface MetaError {
  /** HTTP status of the answer. */
  status: number;
  code: number;
  message: string;
  details: string;
  subcode?: number;
}

export interface MetaErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_data: { messaging_product: "whatsapp"; details: string };
    error_subcode?: number;
    fbtrace_id: string;
  };
}

export function errorBody(e: MetaError): MetaErrorBody {
  return {
    error: {
      message: e.message,
      type: "OAuthException",
      code: e.code,
      error_data: { messaging_product: "whatsapp", details: e.details },
      ...(e.subcode ? { error_subcode: e.subcode } : {}),
      fbtrace_id: `A${crypto.randomUUID().replaceAll("-", "").slice(0, 22)}`,
    },
  };
}

export function errorResponse(e: MetaError): Response {
  return Response.json(errorBody(e), { status: e.status });
}

const titled = (code: number, title: string) => `(#${code}) ${title}`;

export const ERRORS = {
  unknownObject: (id: string): MetaError => ({
    status: 400,
    code: 100,
    subcode: 33,
    message: `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    details: `Object with ID '${id}' does not exist`,
  }),
  unknownPath: (path: string): MetaError => ({
    status: 400,
    code: 2500,
    message: `Unknown path components: ${path}`,
    details: `Unknown path components: ${path}`,
  }),
  invalidParameter: (details: string): MetaError => ({
    status: 400,
    code: 100,
    message: titled(100, "Invalid parameter"),
    details,
  }),
  badToken: (): MetaError => ({
    status: 401,
    code: 190,
    message: "Invalid OAuth access token - Cannot parse access token",
    details: "The access token is missing or is not this phone number's token.",
  }),
  tokenExpired: (): MetaError => ({
    status: 401,
    code: 190,
    subcode: 463,
    message: "Error validating access token: Session has expired.",
    details: "The access token has expired.",
  }),
  accountLocked: (): MetaError => ({
    status: 400,
    code: 131031,
    message: titled(131031, "Business Account locked"),
    details: "The WhatsApp Business Account is locked for a policy violation.",
  }),
  pairRateLimited: (): MetaError => ({
    status: 400,
    code: 131056,
    message: titled(131056, "(Business Account, Consumer Account) pair rate limit hit"),
    details:
      "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
  }),
  spamLimited: (): MetaError => ({
    status: 400,
    code: 131048,
    message: titled(131048, "Spam rate limit hit"),
    details:
      "Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.",
  }),
  templatePaused: (name: string): MetaError => ({
    status: 400,
    code: 132015,
    message: titled(132015, "Template is paused"),
    details: `Template ${name} is paused because of low quality.`,
  }),
  templateDisabled: (name: string): MetaError => ({
    status: 400,
    code: 132016,
    message: titled(132016, "Template is disabled"),
    details: `Template ${name} is disabled because of low quality.`,
  }),
  throughput: (mps: number): MetaError => ({
    status: 400,
    code: 130429,
    message: titled(130429, "Rate limit hit"),
    details: `Cloud API message throughput (${mps} messages per second) has been reached.`,
  }),
  marketingLimit: (): MetaError => ({
    status: 400,
    code: 131049,
    message: "This message was not delivered to maintain healthy ecosystem engagement.",
    details: "Per-user marketing message limit reached for this recipient.",
  }),
  /** W17: Meta's title (REFERENCE.md); the details are the sandbox's own (Meta's are unconfirmed). */
  userIdUnsupported: (): MetaError => ({
    status: 400,
    code: 131062,
    message: "BSUID recipients not supported for this message",
    details: "This message cannot be sent to a business-scoped user id; send it to a phone number.",
  }),
  unavailable: (): MetaError => ({
    status: 500,
    code: 131000,
    message: titled(131000, "Something went wrong"),
    details: "Service temporarily unavailable. Try again.",
  }),
  timeout: (): MetaError => ({
    status: 504,
    code: 2,
    message: titled(2, "Service temporarily unavailable"),
    details: "The request timed out (sandbox fault injection); the message was not accepted.",
  }),
  templateMissing: (name: string, language: string, why: string): MetaError => ({
    status: 404,
    code: 132001,
    message: titled(132001, "Template name does not exist in the translation"),
    details: `template name (${name}) does not exist in ${language}${why ? ` (${why})` : ""}`,
  }),
  paramCount: (details: string): MetaError => ({
    status: 400,
    code: 132000,
    message: titled(132000, "Number of parameters does not match the expected number of params"),
    details,
  }),
  paramFormat: (details: string): MetaError => ({
    status: 400,
    code: 132012,
    message: titled(132012, "Parameter format does not match format in the created template"),
    details,
  }),
  paramInvalid: (details: string): MetaError => ({
    status: 400,
    code: 132018,
    message: titled(132018, "There was an issue with the parameters in your template."),
    details,
  }),
  tooLong: (details: string): MetaError => ({
    status: 400,
    code: 132005,
    message: titled(132005, "Translated text too long"),
    details,
  }),
  missingParameter: (details: string): MetaError => ({
    status: 400,
    code: 131008,
    message: titled(131008, "Required parameter is missing"),
    details,
  }),
  invalidValue: (details: string): MetaError => ({
    status: 400,
    code: 131009,
    message: titled(131009, "Parameter value is not valid"),
    details,
  }),
  // The Marketing Messages API's own (W11, W12). Meta's titles are unconfirmed; the codes are its.
  notMarketingTemplate: (category: string): MetaError => ({
    status: 400,
    code: 134100,
    message: titled(134100, "Only marketing templates are supported"),
    details: `The Marketing Messages API only sends MARKETING templates; this one is ${category}. Send it through /messages.`,
  }),
  marketingApiRequired: (): MetaError => ({
    status: 400,
    code: 131063,
    message: titled(131063, "Marketing messages are not supported through the Cloud API"),
    details:
      "Marketing template messages for this business must be sent through the Marketing Messages API.",
  }),
  templateSyncing: (): MetaError => ({
    status: 400,
    code: 134101,
    message: titled(134101, "Template is still syncing"),
    details:
      "The template is not yet available to the Marketing Messages API. Retry in 10 minutes.",
  }),
} as const;
