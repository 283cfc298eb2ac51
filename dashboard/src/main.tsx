/**
 * The Chorus dashboard: sign in with an API key, watch broadcasts, compose
 * them, manage the audience. Routes are in the hash (#/, #/b/<uuid>, #/new,
 * #/contacts, #/usage) so that the Worker serves one static page; compose, audience, usage and
 * the live page's charts are chunks of their own, loaded when opened.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { session } from "./api";
import { BroadcastPage } from "./detail";
import { lazyPage } from "./lazy";
import { BroadcastList } from "./list";
import { Alert } from "./ui";

const ComposePage = lazyPage(async () => (await import("./compose/compose")).ComposePage);
const AudiencePage = lazyPage(async () => (await import("./audience/audience")).AudiencePage);
const UsagePage = lazyPage(async () => (await import("./usage")).UsagePage);

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return hash;
}

function SignIn({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    session.signIn(key.trim());
    const res = await fetch("/broadcasts?limit=1", {
      headers: { authorization: `Bearer ${key.trim()}` },
    });
    if (res.ok) onDone();
    else {
      session.signOut();
      setError(
        res.status === 401 ? "That key is unknown or revoked." : `The API answered ${res.status}.`,
      );
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      <p class="muted">Your API key stays in this tab only (session storage).</p>
      <label for="key">API key</label>
      <div class="row">
        <input
          id="key"
          type="password"
          autocomplete="off"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          style="flex:1;min-width:14rem"
        />
        <button class="primary" type="submit">
          Sign in
        </button>
      </div>
      <Alert error={error} />
    </form>
  );
}

function App() {
  const hash = useHash();
  const [signedIn, setSignedIn] = useState(session.key() !== null);
  const [, broadcast, query] = /^#\/b\/([\w-]+)(?:\?(.*))?$/.exec(hash) ?? [];
  const route = hash.replace(/^#/, "") || "/";
  return (
    <>
      <header>
        <h1>
          <a href="#/">Chorus</a>
        </h1>
        {signedIn && (
          <nav aria-label="Main">
            <a href="#/" aria-current={route === "/" ? "page" : undefined}>
              Broadcasts
            </a>
            <a href="#/new" aria-current={route === "/new" ? "page" : undefined}>
              New broadcast
            </a>
            <a href="#/contacts" aria-current={route === "/contacts" ? "page" : undefined}>
              Audience
            </a>
            <a href="#/usage" aria-current={route === "/usage" ? "page" : undefined}>
              Usage
            </a>
          </nav>
        )}
        {signedIn && (
          <button
            type="button"
            onClick={() => {
              session.signOut();
              setSignedIn(false);
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <main>
        {!signedIn ? (
          <SignIn onDone={() => setSignedIn(true)} />
        ) : broadcast ? (
          <BroadcastPage
            uuid={broadcast}
            recipientStatus={new URLSearchParams(query).get("recipients") ?? ""}
          />
        ) : route === "/new" ? (
          <ComposePage />
        ) : route === "/contacts" ? (
          <AudiencePage />
        ) : route === "/usage" ? (
          <UsagePage />
        ) : (
          <BroadcastList />
        )}
      </main>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
