export function verifyChorusSignature(
  rawBody: string,
  header: string,
  secret: string,
  toleranceSeconds?: number,
): boolean;
