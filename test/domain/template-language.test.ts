import { describe, expect, it } from "vitest";
import { chooseLanguage, languagesHint } from "../../src/domain/template-language";

const approved = (...languages: string[]) =>
  languages.map((language) => ({ language, status: "APPROVED" }));

describe("chooseLanguage (item 13)", () => {
  it("takes the exact language first, whatever its status", () => {
    expect(
      chooseLanguage("en", [...approved("en_US"), { language: "en", status: "PENDING" }]),
    ).toEqual({
      ok: true,
      language: "en",
    });
  });

  it("takes the one approved variant of a bare language, and only of a bare language", () => {
    expect(chooseLanguage("en", approved("en_US", "es"))).toEqual({ ok: true, language: "en_US" });
    expect(chooseLanguage("en_GB", approved("en_US"))).toEqual({ ok: false, languages: ["en_US"] });
  });

  it("refuses several variants, or only unapproved ones, naming what exists", () => {
    expect(chooseLanguage("en", approved("en_US", "en_GB"))).toEqual({
      ok: false,
      languages: ["en_GB", "en_US"],
    });
    expect(chooseLanguage("en", [{ language: "en_US", status: "PENDING" }])).toEqual({
      ok: false,
      languages: ["en_US"],
    });
    expect(languagesHint([])).toContain("any language");
  });
});
