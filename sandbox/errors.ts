/**
 * Meta's error bodies: `{error: {message, type, code, error_data: {messaging_product, details}, error_subcode?, fbtrace_id}}`.
 */
export interface MetaError {
  status: number;
  code: number;
  message: string;
  details: string;
  type?: string;
  subcode?: number;
}

export function errorBody(e: MetaError) {
  return {
    error: {
      message: e.message,
      type: e.type ?? "OAuthException",
      code: e.code,
      error_data: { messaging_product: "whatsapp", details: e.details },
      ...(e.subcode ? { error_subcode: e.subcode } : {}),
      fbtrace_id: `sandbox${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
    },
  };
}

export function errorResponse(e: MetaError): Response {
  return Response.json(errorBody(e), { status: e.status });
}

export const ERRORS = {
  unknownObject: (id: string): MetaError => ({
    status: 400,
    code: 100,
    subcode: 33,
    message: `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    details: "Unknown phone number id",
  }),
  invalidParameter: (details: string): MetaError => ({
    status: 400,
    code: 100,
    message: "(#100) Invalid parameter",
    details,
  }),
  badToken: (): MetaError => ({
    status: 401,
    code: 190,
    message: "Error validating access token: Session has expired or the token is invalid.",
    details: "Invalid OAuth access token",
  }),
  accountLocked: (): MetaError => ({
    status: 400,
    code: 131031,
    message: "Business Account locked",
    details: "The WhatsApp Business Account is locked.",
  }),
  templatePaused: (): MetaError => ({
    status: 400,
    code: 132015,
    message: "Template is paused",
    details: "The template is paused because of low quality.",
  }),
  throughput: (): MetaError => ({
    status: 400,
    code: 130429,
    message: "Rate limit hit",
    details: "Cloud API message throughput has been reached.",
  }),
  marketingLimit: (): MetaError => ({
    status: 400,
    code: 131049,
    message: "This message was not delivered to maintain healthy ecosystem engagement.",
    details: "Per-user marketing message limit reached.",
  }),
  unavailable: (): MetaError => ({
    status: 500,
    code: 131000,
    message: "Something went wrong",
    details: "Service temporarily unavailable",
  }),
  timeout: (): MetaError => ({
    status: 504,
    code: 2,
    message: "Service temporarily unavailable",
    details: "The request timed out (sandbox fault injection; the message was not accepted)",
  }),
  templateMissing: (name: string, language: string): MetaError => ({
    status: 404,
    code: 132001,
    message: "Template name does not exist in the translation",
    details: `template name (${name}) does not exist in ${language}`,
  }),
  paramCount: (details: string): MetaError => ({
    status: 400,
    code: 132000,
    message: "Number of parameters does not match the expected number of params",
    details,
  }),
  paramFormat: (details: string): MetaError => ({
    status: 400,
    code: 132012,
    message: "Parameter format does not match format in the created template",
    details,
  }),
  tooLong: (details: string): MetaError => ({
    status: 400,
    code: 132005,
    message: "Translated text too long",
    details,
  }),
  missingParameter: (details: string): MetaError => ({
    status: 400,
    code: 131008,
    message: "Required parameter is missing",
    details,
  }),
} as const;
