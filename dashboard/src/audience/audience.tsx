/**
 * #/contacts: the account's audience on the v1 API: contacts (list, search,
 * import from a spreadsheet, a segment from an import) and the suppression list.
 */
import { useState } from "preact/hooks";
import { ContactsImport } from "./contacts-import";
import { ContactsList } from "./contacts-list";
import { Suppressions } from "./suppressions";

export function AudiencePage() {
  // Bumped after an import so that the list shows the new contacts.
  const [version, setVersion] = useState(0);
  return (
    <section aria-labelledby="audience-title">
      <h2 id="audience-title">Audience</h2>
      <ContactsImport onImported={() => setVersion((v) => v + 1)} />
      <ContactsList version={version} />
      <Suppressions />
    </section>
  );
}
