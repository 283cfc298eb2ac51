export function AudiencePage() {
  return <h2>Audience</h2>;
}
